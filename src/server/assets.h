// The dashboard page's files (src/server/assets/), embedded into the binary at
// build time by embed_assets.cmake: the server reads nothing from disk and
// fetches nothing from the internet to show its page.
#pragma once

#include <cstddef>
#include <string>

namespace orchestra {

/// EmbeddedFile is one file of src/server/assets/, its bytes in the binary.
struct EmbeddedFile {
  const char* name;  // the file name, e.g. "dashboard.js"
  const unsigned char* data;
  size_t size;
};

/// Every embedded file, sorted by name (defined in the generated embedded_assets.cc).
extern const EmbeddedFile kEmbeddedFiles[];
extern const size_t kEmbeddedFileCount;

/// Asset is an embedded file as the server sends it.
struct Asset {
  std::string content;
  std::string content_type;  // from the name's extension, e.g. "text/javascript; charset=utf-8"
};

/// The embedded file called exactly `name` (no folders, nothing resolved); false
/// when there is none. Only names from this table are ever served.
bool FindAsset(const std::string& name, Asset* asset);

}  // namespace orchestra
