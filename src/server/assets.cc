#include "assets.h"

#include <string_view>

namespace orchestra {
namespace {

std::string ContentType(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".svg")) return "image/svg+xml";
  if (name.ends_with(".png")) return "image/png";
  return "application/octet-stream";
}

}  // namespace

bool FindAsset(const std::string& name, Asset* asset) {
  for (size_t i = 0; i < kEmbeddedFileCount; ++i) {
    const EmbeddedFile& file = kEmbeddedFiles[i];
    if (name != file.name) continue;
    asset->content.assign(reinterpret_cast<const char*>(file.data), file.size);
    asset->content_type = ContentType(name);
    return true;
  }
  return false;
}

}  // namespace orchestra
