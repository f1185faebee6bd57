// The ctest fixture of the PostgreSQL tests: one private server for the whole
// suite instead of an initdb in every test process (see postgres_server.h).
//   orchestra_postgres_fixture start FOLDER   starts it, writes FOLDER/port
//   orchestra_postgres_fixture stop FOLDER    stops it, removes FOLDER
// Where no server can run (no binaries, no postgres user) `start` says why
// and exits 0 without a port file: the tests then skip, each saying why.
#include <cstdio>
#include <string>

#include "postgres_server.h"

int main(int argc, char** argv) {
  const std::string command = argc == 3 ? argv[1] : "";
  if (command != "start" && command != "stop") {
    std::fprintf(stderr, "usage: %s start|stop FOLDER\n", argv[0]);
    return 2;
  }
  const std::string folder = argv[2];
  if (command == "stop") {
    orchestra::testing::PostgresServer::StopInFolder(folder);
    return 0;
  }
  bool skipped = false;
  std::string error;
  if (orchestra::testing::PostgresServer::StartInFolder(folder, &skipped, &error)) {
    std::printf("PostgreSQL server for the suite in %s\n", folder.c_str());
    return 0;
  }
  std::printf("%s: %s\n", skipped ? "no PostgreSQL server for the suite" : "error", error.c_str());
  return skipped ? 0 : 1;
}
