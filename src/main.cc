// orchestra: runs a dependency graph of workstreams on a pool of AI agents.
int main() { return 0; }
