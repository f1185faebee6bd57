#include "clean_workstreams.h"

#include <sys/mman.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <optional>

#include "json_depth.h"
#include "json_positions.h"
#include "run_beside.h"
#include "workstream_fields.h"

namespace orchestra {
namespace {

using nlohmann::json;

/// The fields of a workstream object, by their bit in a mask of the fields
/// seen (a repeated key is one test). The first ones are read; from kFirstKept
/// on they are only kept in `raw_json`. Together they are the known fields of
/// workstream_fields.h: a name missing here would only send its files to the
/// reporting path.
enum Field : int {
  kId,
  kTitle,
  kPrompt,
  kTrack,
  kAgent,
  kTool,
  kTasks,
  kFilesScope,
  kFilesCreate,
  kAcceptanceTests,
  kDependsOn,
  kMetadata,
  kAllowEmpty,
  kEstimateHours,
  kTimeout,
  kMaxAttempts,
  kCircuitBreaker,
  kMaxCostUsd,
  kPriority,
  kFirstKept,
};

constexpr std::string_view kFieldNames[] = {
    "id",          "title",           "prompt",         "track",
    "agent",       "tool",            "tasks",          "files_scope",
    "files_create", "acceptance_tests", "depends_on",     "metadata",
    "allow_empty", "estimate_hours",  "timeout",        "max_attempts",
    "circuit_breaker", "max_cost_usd", "priority",
    // kept only
    "openspec_change", "ccpm_issue", "gate", "capability", "capability_payload", "parallel_ok",
    "conflict_group", "kind", "estimated_context_tokens", "compensation_actions", "test_gates",
};
constexpr int kFieldCount = static_cast<int>(std::size(kFieldNames));
static_assert(kFieldCount <= 32, "the mask of seen fields is 32 bits");

int FieldOf(std::string_view key) {
  for (int field = 0; field < kFieldCount; ++field) {
    if (kFieldNames[field] == key) return field;
  }
  return -1;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsUtf8Continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

/// The length of the well-formed UTF-8 sequence at `p` (a byte >= 0x80), or 0:
/// the ranges of Unicode's table 3-7, which nlohmann's lexer checks too.
size_t Utf8Length(const char* p, const char* end) {
  auto in = [&](size_t index, unsigned low, unsigned high) {
    if (p + index >= end) return false;
    const unsigned byte = static_cast<unsigned char>(p[index]);
    return byte >= low && byte <= high;
  };
  const unsigned lead = static_cast<unsigned char>(p[0]);
  if (lead >= 0xC2 && lead <= 0xDF) return in(1, 0x80, 0xBF) ? 2 : 0;
  if (lead == 0xE0) return in(1, 0xA0, 0xBF) && in(2, 0x80, 0xBF) ? 3 : 0;
  if ((lead >= 0xE1 && lead <= 0xEC) || lead == 0xEE || lead == 0xEF) {
    return in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF) ? 3 : 0;
  }
  if (lead == 0xED) return in(1, 0x80, 0x9F) && in(2, 0x80, 0xBF) ? 3 : 0;
  if (lead == 0xF0) return in(1, 0x90, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
  if (lead >= 0xF1 && lead <= 0xF3) {
    return in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
  }
  if (lead == 0xF4) return in(1, 0x80, 0x8F) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
  return 0;
}

/// A JSON number as nlohmann reads it: an integer when written without a
/// fraction or exponent, else a double.
struct Number {
  bool integer = true;
  int64_t whole = 0;
  double real = 0;

  double value() const { return integer ? static_cast<double>(whole) : real; }
  json ToJson() const { return integer ? json(whole) : json(real); }
};

/// What a metadata or circuit_breaker member that a field falls back to held.
struct Fallbacks {
  std::optional<json> metadata_hours;   // metadata.estimated_hours
  std::optional<json> metadata_effort;  // metadata.estimated_effort_hours
  std::optional<json> metadata_priority;
  std::optional<json> breaker_attempts;  // circuit_breaker.max_attempts
};

/// CleanParser reads one file's text by recursive descent. Every method
/// returns false at the first thing the fast path does not take, and the
/// caller drops whatever was read.
class CleanParser {
 public:
  CleanParser(const std::string& file, std::string_view text)
      : file_(file), p_(text.data()), end_(text.data() + text.size()), cursor_(text.data()) {}

  bool Parse(std::vector<Workstream>* workstreams) {
    SkipWhitespace();
    if (Peek() == '{') {
      workstreams->emplace_back();
      if (!ReadWorkstream(&workstreams->back(), 1)) return false;
    } else if (Consume('[')) {
      SkipWhitespace();
      if (Peek() == ']') return false;  // warned about: holds no workstreams
      while (true) {
        if (Peek() != '{') return false;
        workstreams->emplace_back();
        if (!ReadWorkstream(&workstreams->back(), 2)) return false;
        if (!NextMember(']')) break;
      }
      if (!closed_) return false;
    } else {
      return false;
    }
    SkipWhitespace();
    return p_ == end_;
  }

  /// The first part of an array read in two: from the '[' through the
  /// `count` elements before `split` (the '{' of an element), into
  /// `slots[0..count)`; the ',' after the last must lead to `split` exactly.
  bool ParseHead(Workstream* slots, size_t count, const char* split) {
    SkipWhitespace();
    if (!Consume('[')) return false;
    SkipWhitespace();
    for (size_t index = 0; index < count; ++index) {
      if (Peek() != '{' || !ReadWorkstream(&slots[index], 2) || !NextMember(']')) return false;
    }
    return p_ == split;
  }

  /// The second part: the `count` elements from `split` into
  /// `slots[0..count)`, then the closing ']' and the end of the text.
  /// Positions are counted from the text's start, as ever.
  bool ParseTail(Workstream* slots, size_t count, const char* split) {
    p_ = split;
    for (size_t index = 0; index < count; ++index) {
      if (Peek() != '{' || !ReadWorkstream(&slots[index], 2)) return false;
      const bool more = NextMember(']');
      if (more != (index + 1 < count)) return false;
    }
    if (!closed_) return false;
    SkipWhitespace();
    return p_ == end_;
  }

 private:
  // After a member or element: true when a ',' says another follows; false
  // at the closing bracket (closed_ set) or anything else (closed_ clear).
  bool NextMember(char closing) {
    SkipWhitespace();
    closed_ = false;
    if (Consume(',')) {
      SkipWhitespace();
      return true;
    }
    closed_ = Consume(closing);
    return false;
  }

  bool ReadWorkstream(Workstream* workstream, int depth) {
    if (depth > kMaxJsonDepth) return false;
    const char* object_start = p_;
    AdvanceCursorTo(p_);
    workstream->file = file_;
    workstream->line = line_;
    workstream->column = column_;
    ++p_;  // '{'
    SkipWhitespace();
    uint32_t seen = 0;
    Fallbacks fallbacks;
    if (!Consume('}')) {
      while (true) {
        std::string_view key;
        if (!ReadKey(&key)) return false;
        const int field = FieldOf(key);
        if (field < 0 || (seen & (1u << field))) return false;
        seen |= 1u << field;
        if (!ReadColon() || !ReadField(field, workstream, &fallbacks, depth + 1)) return false;
        if (!NextMember('}')) break;
      }
      if (!closed_) return false;
    }
    if (!(seen & (1u << kId))) return false;
    ApplyFallbacks(fallbacks, seen, workstream);
    workstream->raw_json.assign(object_start, p_);
    return true;
  }

  // What the reporting path reads from metadata and circuit_breaker when the
  // field itself is absent (WorkstreamReader::ReadEstimate, ReadMaxAttempts,
  // ReadPriority).
  static void ApplyFallbacks(const Fallbacks& fallbacks, uint32_t seen, Workstream* workstream) {
    if (!(seen & (1u << kMaxAttempts)) && fallbacks.breaker_attempts) {
      workstream->max_attempts = IntegerAtLeast(*fallbacks.breaker_attempts, 1);
    }
    if (!(seen & (1u << kEstimateHours))) {
      for (const std::optional<json>* value : {&fallbacks.metadata_hours, &fallbacks.metadata_effort}) {
        if (!*value) continue;
        if (const std::optional<MetadataEstimate> estimate = ParseMetadataEstimate(**value)) {
          workstream->estimate_hours = estimate->hours;
          workstream->estimate_source =
              estimate->is_range ? EstimateSource::kMetadataRange : EstimateSource::kMetadataHours;
          break;
        }
      }
    }
    if (!(seen & (1u << kPriority)) && fallbacks.metadata_priority) {
      if (const std::optional<int> priority = PriorityFrom(*fallbacks.metadata_priority)) {
        workstream->priority = *priority;
      }
    }
  }

  bool ReadField(int field, Workstream* workstream, Fallbacks* fallbacks, int depth) {
    switch (field) {
      case kId: return ReadId(&workstream->id);
      case kTitle: return ReadStringValue(&workstream->title);
      case kPrompt: return ReadStringValue(&workstream->prompt);
      case kTrack: return ReadStringValue(&workstream->track);
      case kAgent: return ReadStringValue(&workstream->agent_type);
      case kTool: return ReadStringValue(&workstream->tool);
      case kTasks: return ReadStringList(&workstream->tasks);
      case kFilesScope: return ReadPathList(&workstream->files_scope);
      case kFilesCreate: return ReadPathList(&workstream->files_create);
      case kAcceptanceTests: return ReadStringList(&workstream->acceptance_tests);
      case kDependsOn: return ReadDependsOn(&workstream->depends_on);
      case kMetadata: return ReadMetadata(fallbacks, depth);
      case kAllowEmpty: return ReadBoolean(&workstream->allow_empty);
      case kEstimateHours: return ReadEstimate(workstream);
      case kTimeout: return ReadTimeout(workstream);
      case kMaxAttempts: return ReadMaxAttempts(workstream);
      case kCircuitBreaker: return ReadCircuitBreaker(fallbacks, depth);
      case kMaxCostUsd: return ReadMaxCost(workstream);
      case kPriority: return ReadPriority(workstream, depth);
      default: return SkipValue(depth);
    }
  }

  bool ReadId(std::string* id) {
    return ReadStringValue(id) && !id->empty() && id->size() <= kMaxWorkstreamIdBytes &&
           IsValidWorkstreamId(*id);
  }

  bool ReadStringValue(std::string* out) { return Peek() == '"' && ReadString(out); }

  bool ReadStringList(std::vector<std::string>* out) {
    if (!Consume('[')) return false;
    SkipWhitespace();
    if (Consume(']')) return true;
    while (true) {
      out->emplace_back();
      if (!ReadStringValue(&out->back())) return false;
      if (!NextMember(']')) return closed_;
    }
  }

  // A path starting with '-' would reach an agent's argv as an option.
  bool ReadPathList(std::vector<std::string>* paths) {
    if (!ReadStringList(paths)) return false;
    for (const std::string& path : *paths) {
      if (path.starts_with('-')) return false;
    }
    return true;
  }

  // Too long to be an id, or listed twice: reported by the other path.
  bool ReadDependsOn(std::vector<std::string>* depends_on) {
    if (!ReadStringList(depends_on)) return false;
    for (auto dependency = depends_on->begin(); dependency != depends_on->end(); ++dependency) {
      if (dependency->size() > kMaxWorkstreamIdBytes) return false;
      if (std::find(depends_on->begin(), dependency, *dependency) != dependency) return false;
    }
    return true;
  }

  bool ReadBoolean(bool* out) {
    if (ConsumeLiteral("true")) {
      *out = true;
      return true;
    }
    *out = false;
    return ConsumeLiteral("false");
  }

  bool ReadEstimate(Workstream* workstream) {
    Number number;
    if (!ReadNumber(&number)) return false;
    const double hours = number.value();
    if (!std::isfinite(hours) || hours <= 0) return false;
    workstream->estimate_hours = hours;
    workstream->estimate_source = EstimateSource::kField;
    return true;
  }

  bool ReadTimeout(Workstream* workstream) {
    double seconds = 0;
    if (Peek() == '"') {
      std::string text;
      if (!ReadString(&text)) return false;
      ParseDuration(text, &seconds);
    } else {
      Number number;
      if (!ReadNumber(&number)) return false;
      seconds = number.value();
    }
    if (!std::isfinite(seconds) || seconds <= 0) return false;
    workstream->timeout_seconds = seconds;
    return true;
  }

  bool ReadMaxAttempts(Workstream* workstream) {
    Number number;
    if (!ReadNumber(&number)) return false;
    workstream->max_attempts = IntegerAtLeast(number.ToJson(), 1);
    return workstream->max_attempts.has_value();
  }

  bool ReadMaxCost(Workstream* workstream) {
    Number number;
    if (!ReadNumber(&number)) return false;
    const double usd = number.value();
    if (!std::isfinite(usd) || usd <= 0) return false;
    workstream->max_cost_usd = usd;
    return true;
  }

  bool ReadPriority(Workstream* workstream, int depth) {
    json value;
    if (!ReadScalar(&value, depth)) return false;
    const std::optional<int> priority = PriorityFrom(value);
    if (!priority) return false;
    workstream->priority = *priority;
    return true;
  }

  // An object whose members `wanted` names are captured (each at most once),
  // the others only checked.
  template <typename Wanted>
  bool ReadObjectCapturing(int depth, const Wanted& wanted) {
    if (depth > kMaxJsonDepth || !Consume('{')) return false;
    SkipWhitespace();
    if (Consume('}')) return true;
    while (true) {
      std::string_view key;
      if (!ReadKey(&key) || !ReadColon()) return false;
      std::optional<json>* slot = wanted(key);
      if (slot != nullptr) {
        if (slot->has_value()) return false;  // repeated: the last would win
        json value;
        if (!ReadScalar(&value, depth + 1)) return false;
        *slot = std::move(value);
      } else if (!SkipValue(depth + 1)) {
        return false;
      }
      if (!NextMember('}')) return closed_;
    }
  }

  bool ReadMetadata(Fallbacks* fallbacks, int depth) {
    return ReadObjectCapturing(depth, [&](std::string_view key) -> std::optional<json>* {
      if (key == "estimated_hours") return &fallbacks->metadata_hours;
      if (key == "estimated_effort_hours") return &fallbacks->metadata_effort;
      if (key == "priority") return &fallbacks->metadata_priority;
      return nullptr;
    });
  }

  // circuit_breaker.max_attempts, when present, must be an integer >= 1.
  bool ReadCircuitBreaker(Fallbacks* fallbacks, int depth) {
    const bool read = ReadObjectCapturing(depth, [&](std::string_view key) -> std::optional<json>* {
      return key == "max_attempts" ? &fallbacks->breaker_attempts : nullptr;
    });
    return read && (!fallbacks->breaker_attempts || IntegerAtLeast(*fallbacks->breaker_attempts, 1));
  }

  // Any value: scalars as nlohmann would hold them, containers checked and
  // given as an empty one of their kind (the fallbacks look at scalars only).
  bool ReadScalar(json* value, int depth) {
    switch (Peek()) {
      case '"': {
        std::string text;
        if (!ReadString(&text)) return false;
        *value = std::move(text);
        return true;
      }
      case '{': *value = json::object(); return SkipValue(depth);
      case '[': *value = json::array(); return SkipValue(depth);
      case 't': *value = true; return ConsumeLiteral("true");
      case 'f': *value = false; return ConsumeLiteral("false");
      case 'n': *value = nullptr; return ConsumeLiteral("null");
      default: {
        Number number;
        if (!ReadNumber(&number)) return false;
        *value = number.ToJson();
        return true;
      }
    }
  }

  // Checks a value as nlohmann would parse it, nested at most kMaxJsonDepth.
  bool SkipValue(int depth) {
    switch (Peek()) {
      case '"': return ReadString(nullptr);
      case 't': return ConsumeLiteral("true");
      case 'f': return ConsumeLiteral("false");
      case 'n': return ConsumeLiteral("null");
      case '[': {
        if (depth > kMaxJsonDepth) return false;
        ++p_;
        SkipWhitespace();
        if (Consume(']')) return true;
        while (true) {
          if (!SkipValue(depth + 1)) return false;
          if (!NextMember(']')) return closed_;
        }
      }
      case '{': {
        if (depth > kMaxJsonDepth) return false;
        ++p_;
        SkipWhitespace();
        if (Consume('}')) return true;
        while (true) {
          std::string_view key;
          if (!ReadKey(&key) || !ReadColon() || !SkipValue(depth + 1)) return false;
          if (!NextMember('}')) return closed_;
        }
      }
      default: {
        Number number;
        return ReadNumber(&number);
      }
    }
  }

  bool ReadColon() {
    SkipWhitespace();
    if (!Consume(':')) return false;
    SkipWhitespace();
    return true;
  }

  // A member's name, without escapes (one could spell a known field).
  bool ReadKey(std::string_view* key) {
    if (!Consume('"')) return false;
    const char* start = p_;
    while (p_ < end_) {
      const unsigned char c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        *key = std::string_view(start, static_cast<size_t>(p_ - start));
        ++p_;
        return true;
      }
      if (c == '\\' || c < 0x20) return false;
      if (c < 0x80) {
        ++p_;
        continue;
      }
      const size_t length = Utf8Length(p_, end_);
      if (length == 0) return false;
      p_ += length;
    }
    return false;
  }

  // The string at p_ (its opening quote), decoded into `out` when not null.
  bool ReadString(std::string* out) {
    ++p_;  // '"'
    const char* run = p_;
    while (p_ < end_) {
      const unsigned char c = static_cast<unsigned char>(*p_);
      if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
        ++p_;
        continue;
      }
      if (c == '"') {
        if (out != nullptr) out->append(run, p_);
        ++p_;
        return true;
      }
      if (c < 0x20) return false;  // a control character must be escaped
      if (c == '\\') {
        if (out != nullptr) out->append(run, p_);
        if (!ReadEscape(out)) return false;
        run = p_;
        continue;
      }
      const size_t length = Utf8Length(p_, end_);
      if (length == 0) return false;
      p_ += length;
    }
    return false;
  }

  bool ReadEscape(std::string* out) {
    ++p_;  // '\\'
    if (p_ >= end_) return false;
    char decoded = 0;
    switch (*p_++) {
      case '"': decoded = '"'; break;
      case '\\': decoded = '\\'; break;
      case '/': decoded = '/'; break;
      case 'b': decoded = '\b'; break;
      case 'f': decoded = '\f'; break;
      case 'n': decoded = '\n'; break;
      case 'r': decoded = '\r'; break;
      case 't': decoded = '\t'; break;
      case 'u': return ReadUnicodeEscape(out);
      default: return false;
    }
    if (out != nullptr) out->push_back(decoded);
    return true;
  }

  // After "\u": a code point, or a surrogate pair in two escapes; a lone
  // surrogate is refused, as nlohmann refuses it.
  bool ReadUnicodeEscape(std::string* out) {
    uint32_t code_point = 0;
    if (!ReadHex4(&code_point)) return false;
    if (code_point >= 0xD800 && code_point <= 0xDBFF) {
      if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
      p_ += 2;
      uint32_t low = 0;
      if (!ReadHex4(&low) || low < 0xDC00 || low > 0xDFFF) return false;
      code_point = 0x10000 + ((code_point - 0xD800) << 10) + (low - 0xDC00);
    } else if (code_point >= 0xDC00 && code_point <= 0xDFFF) {
      return false;
    }
    if (out != nullptr) AppendUtf8(code_point, out);
    return true;
  }

  bool ReadHex4(uint32_t* value) {
    if (end_ - p_ < 4) return false;
    for (int digit = 0; digit < 4; ++digit) {
      const char c = *p_++;
      uint32_t nibble = 0;
      if (c >= '0' && c <= '9') {
        nibble = static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        nibble = static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        nibble = static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return false;
      }
      *value = *value * 16 + nibble;
    }
    return true;
  }

  // RFC 8259's number grammar. Integers of more than 18 digits are left to
  // nlohmann (it reads them as unsigned or as a double); a double out of range
  // is too (nlohmann refuses an overflow).
  bool ReadNumber(Number* number) {
    const char* start = p_;
    Consume('-');
    const char* digits = p_;
    if (Consume('0')) {
      // a lone zero
    } else if (p_ < end_ && *p_ >= '1' && *p_ <= '9') {
      SkipDigits();
    } else {
      return false;
    }
    const char* digits_end = p_;
    number->integer = true;
    if (Consume('.')) {
      number->integer = false;
      if (!SkipDigits()) return false;
    }
    if (Peek() == 'e' || Peek() == 'E') {
      number->integer = false;
      ++p_;
      if (!Consume('+')) Consume('-');
      if (!SkipDigits()) return false;
    }
    if (number->integer) {
      if (digits_end - digits > 18) return false;
      int64_t whole = 0;
      for (const char* digit = digits; digit < digits_end; ++digit) whole = whole * 10 + (*digit - '0');
      number->whole = *start == '-' ? -whole : whole;
      return true;
    }
    const auto [end, error] = std::from_chars(start, p_, number->real);
    return error == std::errc() && end == p_ && std::isfinite(number->real);
  }

  bool SkipDigits() {
    const char* start = p_;
    while (p_ < end_ && IsDigit(*p_)) ++p_;
    return p_ > start;
  }

  bool ConsumeLiteral(std::string_view literal) {
    if (static_cast<size_t>(end_ - p_) < literal.size() || std::string_view(p_, literal.size()) != literal) {
      return false;
    }
    p_ += literal.size();
    return true;
  }

  void SkipWhitespace() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  char Peek() const { return p_ < end_ ? *p_ : '\0'; }

  bool Consume(char c) {
    if (p_ >= end_ || *p_ != c) return false;
    ++p_;
    return true;
  }

  // Lines and columns as JsonPositions counts them: columns in code points.
  void AdvanceCursorTo(const char* target) {
    for (; cursor_ < target; ++cursor_) {
      if (*cursor_ == '\n') {
        ++line_;
        column_ = 1;
      } else if (!IsUtf8Continuation(*cursor_)) {
        ++column_;
      }
    }
  }

  const std::string& file_;
  const char* p_;
  const char* end_;
  bool closed_ = false;  // NextMember's last call ended at its closing bracket
  const char* cursor_;
  int line_ = 1;
  int column_ = 1;
};

}  // namespace

namespace {

/// What a scan of a top-level array found: the objects directly inside it
/// (0 when the text is not an array) and the first of them that starts in the
/// second half of the text (where a parse in two parts splits it).
struct ArrayScan {
  size_t objects = 0;
  size_t split_index = 0;             // objects before `split`
  const char* split = nullptr;        // the '{' of that object; null if none
};

/// Counts the objects directly inside `text`'s top-level array by a scan that
/// skips strings: the vector is sized once, instead of moving every
/// Workstream at each growth (10% of `plan` on an array of 100,000).
ArrayScan ScanArray(std::string_view text) {
  ArrayScan scan;
  int depth = 0;
  bool in_string = false;
  const size_t half = text.size() / 2;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (depth == 0 && c != '[') return {};  // one object, not an array
      if (depth == 1 && c == '{') {
        if (scan.split == nullptr && i >= half) {
          scan.split = text.data() + i;
          scan.split_index = scan.objects;
        }
        ++scan.objects;
      }
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return scan;
}

/// Arrays of at least this many objects are read in two parts at once, the
/// second on a helper thread: below it a thread's start costs more than it saves.
constexpr size_t kTwoPartObjects = 2048;

/// Asks for transparent huge pages over the whole 2 MB pages inside
/// [start, start + bytes), memory not yet touched: the workstreams of a large
/// array (about 400 bytes each, 40 MB for 100,000) are then faulted in 2 MB at
/// a time instead of 4 KB, which was 14% of `plan` on 100,000. Advice only:
/// where huge pages are off or the call fails, nothing changes.
void AdviseHugePages(void* start, size_t bytes) {
  constexpr uintptr_t kHugePage = 2u << 20;
  if (bytes < 2 * kHugePage) return;
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(start) + kHugePage - 1) & ~(kHugePage - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(start) + bytes) & ~(kHugePage - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

}  // namespace

bool ParseCleanWorkstreams(const std::string& file, std::string_view text,
                           std::vector<Workstream>* workstreams) {
  const size_t before = workstreams->size();
  const ArrayScan scan = ScanArray(text);
  if (scan.objects > 1) {
    workstreams->reserve(before + scan.objects);
    AdviseHugePages(workstreams->data() + before, scan.objects * sizeof(Workstream));
  }
  bool clean = false;
  if (scan.objects >= kTwoPartObjects && scan.split != nullptr && scan.split_index > 0) {
    // A large array: its second half is read on a helper thread while this
    // thread reads the first, each into its own slots of `workstreams`
    // (parsing and the first touch of the workstreams' memory were a fifth
    // of `plan` on 100,000, all on one core). Either part not clean: the
    // file is not (the two parts together accept exactly what one pass
    // would, the count of elements the scan found included).
    workstreams->resize(before + scan.objects);
    Workstream* slots = workstreams->data() + before;
    bool head_clean = false, tail_clean = false;
    RunBeside(
        [&] {
          tail_clean =
              CleanParser(file, text).ParseTail(slots + scan.split_index, scan.objects - scan.split_index, scan.split);
        },
        [&] { head_clean = CleanParser(file, text).ParseHead(slots, scan.split_index, scan.split); });
    clean = head_clean && tail_clean;
  } else {
    clean = CleanParser(file, text).Parse(workstreams);
  }
  if (clean) return true;
  workstreams->erase(workstreams->begin() + static_cast<std::ptrdiff_t>(before), workstreams->end());
  return false;
}

}  // namespace orchestra
