// Text encoding: recognising a file saved as UTF-16 or UTF-32 (as some Windows
// editors do) before a UTF-8 parser reads it, so the user hears what is wrong
// with the file instead of a syntax error at its first byte.
#pragma once

#include <string>

namespace orchestra {

/// WideEncoding is what a text that is not UTF-8 was recognised as.
struct WideEncoding {
  std::string name;                   // "UTF-16", "UTF-32"; guessed: "UTF-16LE", "UTF-32BE"...
  bool from_byte_order_mark = false;  // false: guessed from where the NUL bytes sit
};

/// Recognises UTF-16 and UTF-32 text by its byte order mark or, without one, by
/// its NUL bytes (UTF-8 text never holds any). With a mark the name leaves the
/// byte order to the mark ("UTF-16", as `iconv -f` takes it); without one it is
/// guessed from the first four bytes. Returns false for any other text.
bool DetectWideEncoding(const std::string& text, WideEncoding* encoding);

}  // namespace orchestra
