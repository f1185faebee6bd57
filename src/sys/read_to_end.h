// Reading a descriptor to its end: small files (/proc, cgroupfs, the
// supervisor's status file) and the secrets memfd. Dependency-free, so
// orchestra-supervise links it too.
#pragma once

#include <string>

namespace orchestra {

/// What `fd` holds from its current offset to its end (reads retried on
/// EINTR; a read error ends it early). Does not close `fd`.
std::string ReadToEnd(int fd);

}  // namespace orchestra
