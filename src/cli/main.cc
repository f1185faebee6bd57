// orchestra: runs a dependency graph of workstreams on a pool of AI agents.
#include "cli.h"

int main(int argc, char** argv) { return orchestra::RunCommandLine(argc, argv); }
