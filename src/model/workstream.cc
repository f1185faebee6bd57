#include "workstream.h"

#include <algorithm>
#include <cstdio>

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <string_view>

namespace orchestra {
namespace {

/// One unit of a duration like "1h30m".
struct DurationUnit {
  std::string_view suffix;
  double seconds;
};

// In the order they must appear: "1h30m" is fine, "30m1h" is a typo.
constexpr std::array<DurationUnit, 4> kDurationUnits = {{
    {"h", 3600},
    {"m", 60},
    {"s", 1},
    {"ms", 0.001},
}};

// Reads an unsigned decimal ("90", "1.5") at the front of `text`. Signs and
// exponents are refused: durations are written by people, not printed by code.
bool ConsumeNumber(std::string_view* text, double* value) {
  size_t length = 0;
  bool seen_digit = false;
  bool seen_point = false;
  for (; length < text->size(); ++length) {
    const char c = (*text)[length];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      seen_digit = true;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (!seen_digit) return false;
  std::from_chars(text->data(), text->data() + length, *value, std::chars_format::fixed);
  text->remove_prefix(length);
  return true;
}

// Index into kDurationUnits of the unit at the front of `text`, or -1. The
// longest suffix wins, so "500ms" is milliseconds, not minutes.
int ConsumeUnit(std::string_view* text) {
  int match = -1;
  for (size_t unit = 0; unit < kDurationUnits.size(); ++unit) {
    const std::string_view suffix = kDurationUnits[unit].suffix;
    if (text->substr(0, suffix.size()) == suffix &&
        (match < 0 || suffix.size() > kDurationUnits[match].suffix.size())) {
      match = static_cast<int>(unit);
    }
  }
  if (match >= 0) text->remove_prefix(kDurationUnits[match].suffix.size());
  return match;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

std::string Lowercase(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

// "P0".."P3", alone or followed by a label ("P0-CRITICAL"), as upstream plans
// write them; P0 is the most urgent.
bool PriorityFromLevel(std::string_view word, int* priority) {
  if (word.size() < 2 || (word[0] != 'P' && word[0] != 'p')) return false;
  if (word[1] < '0' || word[1] > '3') return false;
  if (word.size() > 2 && word[2] != '-') return false;
  *priority = 3 - (word[1] - '0');
  return true;
}

// True when `program` names an executable file in a directory of $PATH.
bool IsOnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  std::istringstream directories(path);
  std::string directory;
  while (std::getline(directories, directory, ':')) {
    if (directory.empty()) directory = ".";
    const std::string candidate = directory + "/" + program;
    struct stat status;  // a directory is "executable" too, but runs nothing
    if (stat(candidate.c_str(), &status) == 0 && S_ISREG(status.st_mode) &&
        access(candidate.c_str(), X_OK) == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace

nlohmann::json Workstream::Raw() const {
  return raw_json.empty() ? nlohmann::json() : nlohmann::json::parse(raw_json);
}

bool ParseDuration(const std::string& text, double* seconds) {
  std::string_view rest = Trim(text);
  double number = 0;
  if (!ConsumeNumber(&rest, &number)) return false;
  if (rest.empty()) {  // a bare number counts seconds
    *seconds = number;
    return true;
  }
  double total = 0;
  int previous_unit = -1;
  while (true) {
    const int unit = ConsumeUnit(&rest);
    if (unit <= previous_unit) return false;  // unknown, repeated or out of order
    previous_unit = unit;
    total += number * kDurationUnits[unit].seconds;
    if (rest.empty()) break;
    if (!ConsumeNumber(&rest, &number)) return false;
  }
  *seconds = total;
  return true;
}

std::string FormatDuration(double seconds) {
  if (seconds < 0) return "-" + FormatDuration(-seconds);
  // Sub-10-second work (simulated agents, quick checks) keeps a tenth.
  if (seconds > 0 && seconds < 9.95) {
    char text[16];
    std::snprintf(text, sizeof text, "%.1fs", seconds);
    return text;
  }
  const long long total = std::llround(seconds);
  const long long hours = total / 3600;
  const long long minutes = total % 3600 / 60;
  const long long rest = total % 60;
  auto two_digits = [](long long value) { return (value < 10 ? "0" : "") + std::to_string(value); };
  if (hours > 0) return std::to_string(hours) + "h" + two_digits(minutes) + "m";
  if (minutes > 0) return std::to_string(minutes) + "m" + two_digits(rest) + "s";
  return std::to_string(rest) + "s";
}

bool IsValidWorkstreamId(const std::string& id) {
  if (id.empty() || id.size() > kMaxWorkstreamIdBytes) return false;
  if (id.front() == '.' || id.front() == '-' || id.back() == '.') return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  // git refuses these in branch names, and the id names a branch.
  const std::string_view lock_suffix = ".lock";
  const bool ends_in_lock =
      id.size() >= lock_suffix.size() &&
      id.compare(id.size() - lock_suffix.size(), lock_suffix.size(), lock_suffix) == 0;
  return !ends_in_lock && id.find("..") == std::string::npos;
}

bool PriorityFromWord(const std::string& word, int* priority) {
  if (PriorityFromLevel(word, priority)) return true;
  static constexpr std::array<std::pair<std::string_view, int>, 7> kWords = {{
      {"critical", 3},
      {"high", 2},
      {"medium", 1},
      {"normal", 0},
      {"foreground", 0},
      {"low", -1},
      {"background", -2},
  }};
  const std::string lower = Lowercase(word);
  for (const auto& [name, value] : kWords) {
    if (lower == name) {
      *priority = value;
      return true;
    }
  }
  return false;
}

bool LooksLikeProse(const std::string& acceptance_test) {
  std::istringstream in(acceptance_test);
  std::vector<std::string> words;
  for (std::string word; in >> word;) words.push_back(word);
  if (words.size() < 3) return false;
  const std::string& first = words.front();
  const bool capitalised_word =
      std::isupper(static_cast<unsigned char>(first.front())) &&
      std::all_of(first.begin(), first.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
  // A sentence about a file ("router.config.yaml validates against YAML
  // syntax") has four or more plain words: no options, paths, pipes,
  // redirections, quotes or variables, which nearly every command has.
  const bool plain_sentence =
      words.size() >= 4 && first.find('/') == std::string::npos &&
      std::none_of(words.begin(), words.end(), [](const std::string& word) { return word.front() == '-'; }) &&
      acceptance_test.find_first_of("/|<>=$'\"`;&(){}[]") == std::string::npos;
  if (!capitalised_word && !plain_sentence) return false;
  // Checked last: it touches the filesystem. A program on PATH ("Rscript x.R",
  // "make check all targets") is a command even when it reads like a sentence.
  return !IsOnPath(first);
}

}  // namespace orchestra
