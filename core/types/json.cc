#include "core/types/json.h"

#include <cstring>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "core/types/utf8.h"

namespace kstone::core {

JsonValue JsonValue::Bool(bool b) {
  JsonValue v;
  v.kind_ = Kind::kBool;
  v.bool_ = b;
  return v;
}

JsonValue JsonValue::Number(std::string text) {
  JsonValue v;
  v.kind_ = Kind::kNumber;
  v.text_ = std::move(text);
  return v;
}

JsonValue JsonValue::String(std::string s) {
  JsonValue v;
  v.kind_ = Kind::kString;
  v.text_ = std::move(s);
  return v;
}

JsonValue JsonValue::MakeArray(Array elements) {
  JsonValue v;
  v.kind_ = Kind::kArray;
  v.array_ = std::move(elements);
  return v;
}

JsonValue JsonValue::MakeObject(Object members) {
  JsonValue v;
  v.kind_ = Kind::kObject;
  v.object_ = std::move(members);
  return v;
}

const JsonValue* JsonValue::Find(std::string_view key) const {
  for (auto it = object_.rbegin(); it != object_.rend(); ++it) {
    if (it->first == key) return &it->second;
  }
  return nullptr;
}

bool operator==(const JsonValue& a, const JsonValue& b) {
  if (a.kind_ != b.kind_) return false;
  switch (a.kind_) {
    case JsonValue::Kind::kNull:
      return true;
    case JsonValue::Kind::kBool:
      return a.bool_ == b.bool_;
    case JsonValue::Kind::kNumber:
    case JsonValue::Kind::kString:
      return a.text_ == b.text_;
    case JsonValue::Kind::kArray:
      return a.array_ == b.array_;
    case JsonValue::Kind::kObject:
      return a.object_ == b.object_;
  }
  return false;
}

namespace {

// The member names of one object being parsed, to reject repeated names: a
// linear scan for small objects, a hash set once the object grows.
class MemberNames {
 public:
  // False if `name` is already among `members` (the object so far).
  bool Add(const JsonValue::Object& members, const std::string& name) {
    if (members.size() < kLinearLimit) {
      for (const JsonValue::Member& m : members) {
        if (m.first == name) return false;
      }
      return true;
    }
    if (set_.empty()) {
      for (const JsonValue::Member& m : members) set_.insert(m.first);
    }
    return set_.insert(name).second;
  }

 private:
  static constexpr size_t kLinearLimit = 16;
  absl::flat_hash_set<std::string> set_;
};

class Parser {
 public:
  Parser(std::string_view text, int max_depth)
      : text_(text), max_depth_(max_depth) {}

  absl::StatusOr<JsonValue> ParseDocument() {
    JsonValue v;
    SkipWhitespace();
    absl::Status s = ParseValue(0, &v);
    if (!s.ok()) return s;
    SkipWhitespace();
    if (pos_ != text_.size()) return Error("unexpected text after the value");
    return v;
  }

 private:
  absl::Status Error(std::string_view what) const {
    return ErrorAt(what, pos_);
  }

  absl::Status ErrorAt(std::string_view what, size_t pos) const {
    int line = 1, column = 1;
    for (size_t i = 0; i < pos && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        column = 1;
      } else if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) {
        ++column;  // count characters, not UTF-8 continuation bytes
      }
    }
    return absl::InvalidArgumentError(
        absl::StrCat("json: ", absl::string_view(what.data(), what.size()),
                     " at line ", line, ", column ", column));
  }

  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return text_[pos_]; }

  void SkipWhitespace() {
    while (!AtEnd()) {
      char c = Peek();
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
      ++pos_;
    }
  }

  bool Consume(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  absl::Status ParseValue(int depth, JsonValue* out) {
    if (AtEnd()) return Error("unexpected end of input, expected a value");
    switch (Peek()) {
      case '{':
        return ParseObject(depth + 1, out);
      case '[':
        return ParseArray(depth + 1, out);
      case '"': {
        std::string s;
        absl::Status st = ParseString(&s);
        if (!st.ok()) return st;
        *out = JsonValue::String(std::move(s));
        return absl::OkStatus();
      }
      case 't':
        if (!Consume("true")) return Error("invalid literal");
        *out = JsonValue::Bool(true);
        return absl::OkStatus();
      case 'f':
        if (!Consume("false")) return Error("invalid literal");
        *out = JsonValue::Bool(false);
        return absl::OkStatus();
      case 'n':
        if (!Consume("null")) return Error("invalid literal");
        *out = JsonValue::Null();
        return absl::OkStatus();
      default:
        if (Peek() == '-' || (Peek() >= '0' && Peek() <= '9')) {
          return ParseNumber(out);
        }
        return Error(absl::StrCat(
            "unexpected character '",
            absl::CEscape(absl::string_view(text_.data() + pos_, 1)), "'"));
    }
  }

  absl::Status ParseObject(int depth, JsonValue* out) {
    if (depth > max_depth_) return Error("nesting too deep");
    ++pos_;  // '{'
    JsonValue::Object members;
    MemberNames names;
    SkipWhitespace();
    if (!AtEnd() && Peek() == '}') {
      ++pos_;
      *out = JsonValue::MakeObject(std::move(members));
      return absl::OkStatus();
    }
    for (;;) {
      SkipWhitespace();
      if (AtEnd() || Peek() != '"') return Error("expected a member name");
      const size_t name_pos = pos_;
      std::string name;
      absl::Status s = ParseString(&name);
      if (!s.ok()) return s;
      if (!names.Add(members, name)) {
        return ErrorAt(
            absl::StrCat("duplicate member name \"", absl::CEscape(name), "\""),
            name_pos);
      }
      SkipWhitespace();
      if (AtEnd() || Peek() != ':') return Error("expected ':'");
      ++pos_;
      SkipWhitespace();
      members.emplace_back(std::move(name), JsonValue());
      s = ParseValue(depth, &members.back().second);
      if (!s.ok()) return s;
      SkipWhitespace();
      if (AtEnd()) return Error("unexpected end of input in an object");
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      if (Peek() == '}') {
        ++pos_;
        break;
      }
      return Error("expected ',' or '}'");
    }
    *out = JsonValue::MakeObject(std::move(members));
    return absl::OkStatus();
  }

  absl::Status ParseArray(int depth, JsonValue* out) {
    if (depth > max_depth_) return Error("nesting too deep");
    ++pos_;  // '['
    JsonValue::Array elements;
    SkipWhitespace();
    if (!AtEnd() && Peek() == ']') {
      ++pos_;
      *out = JsonValue::MakeArray(std::move(elements));
      return absl::OkStatus();
    }
    for (;;) {
      SkipWhitespace();
      elements.emplace_back();
      absl::Status s = ParseValue(depth, &elements.back());
      if (!s.ok()) return s;
      SkipWhitespace();
      if (AtEnd()) return Error("unexpected end of input in an array");
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      if (Peek() == ']') {
        ++pos_;
        break;
      }
      return Error("expected ',' or ']'");
    }
    *out = JsonValue::MakeArray(std::move(elements));
    return absl::OkStatus();
  }

  // number = [ "-" ] int [ frac ] [ exp ]; int = "0" / digit1-9 *digit
  absl::Status ParseNumber(JsonValue* out) {
    const size_t start = pos_;
    auto digits = [&]() {
      size_t n = 0;
      while (!AtEnd() && Peek() >= '0' && Peek() <= '9') {
        ++pos_;
        ++n;
      }
      return n;
    };
    if (Peek() == '-') ++pos_;
    if (AtEnd()) return Error("invalid number");
    if (Peek() == '0') {
      ++pos_;
      if (!AtEnd() && Peek() >= '0' && Peek() <= '9') {
        return Error("invalid number (leading zero)");
      }
    } else if (digits() == 0) {
      return Error("invalid number");
    }
    if (!AtEnd() && Peek() == '.') {
      ++pos_;
      if (digits() == 0) return Error("invalid number (no digit after '.')");
    }
    if (!AtEnd() && (Peek() == 'e' || Peek() == 'E')) {
      ++pos_;
      if (!AtEnd() && (Peek() == '+' || Peek() == '-')) ++pos_;
      if (digits() == 0) return Error("invalid number (empty exponent)");
    }
    *out = JsonValue::Number(std::string(text_.substr(start, pos_ - start)));
    return absl::OkStatus();
  }

  static int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  bool ReadHex4(uint32_t* out) {
    if (pos_ + 4 > text_.size()) return false;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      int h = HexValue(text_[pos_ + i]);
      if (h < 0) return false;
      v = v * 16 + static_cast<uint32_t>(h);
    }
    pos_ += 4;
    *out = v;
    return true;
  }

  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  absl::Status ParseEscape(std::string* out) {
    const size_t at = pos_ - 1;  // the backslash
    if (AtEnd()) return Error("unterminated string");
    const char c = text_[pos_++];
    switch (c) {
      case '"':
      case '\\':
      case '/':
        out->push_back(c);
        return absl::OkStatus();
      case 'b':
        out->push_back('\b');
        return absl::OkStatus();
      case 'f':
        out->push_back('\f');
        return absl::OkStatus();
      case 'n':
        out->push_back('\n');
        return absl::OkStatus();
      case 'r':
        out->push_back('\r');
        return absl::OkStatus();
      case 't':
        out->push_back('\t');
        return absl::OkStatus();
      case 'u':
        break;
      default:
        return ErrorAt("invalid escape", at);
    }
    uint32_t cp = 0;
    if (!ReadHex4(&cp)) return ErrorAt("invalid \\u escape", at);
    if (cp >= 0xDC00 && cp <= 0xDFFF) return ErrorAt("lone surrogate", at);
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      uint32_t low = 0;
      if (!Consume("\\u") || !ReadHex4(&low) || low < 0xDC00 || low > 0xDFFF) {
        return ErrorAt("lone surrogate", at);
      }
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    AppendUtf8(cp, out);
    return absl::OkStatus();
  }

  absl::Status ParseString(std::string* out) {
    ++pos_;  // opening quote
    for (;;) {
      // Copy the run of plain bytes up to the next quote, backslash or
      // control character in one go.
      size_t run = pos_;
      while (run < text_.size()) {
        const unsigned char c = static_cast<unsigned char>(text_[run]);
        if (c == '"' || c == '\\' || c < 0x20) break;
        ++run;
      }
      const std::string_view chunk = text_.substr(pos_, run - pos_);
      const size_t bad = FirstInvalidUtf8Offset(chunk);
      if (bad != chunk.size()) return ErrorAt("invalid UTF-8", pos_ + bad);
      out->append(chunk);
      pos_ = run;
      if (AtEnd()) return Error("unterminated string");
      const char c = text_[pos_++];
      if (c == '"') return absl::OkStatus();
      if (c != '\\') return ErrorAt("unescaped control character", pos_ - 1);
      absl::Status s = ParseEscape(out);
      if (!s.ok()) return s;
    }
  }

  const std::string_view text_;
  const int max_depth_;
  size_t pos_ = 0;
};

void Indent(int level, std::string* out) {
  out->push_back('\n');
  out->append(static_cast<size_t>(level) * 2, ' ');
}

void AppendJsonImpl(const JsonValue& v, bool pretty, int level,
                    std::string* out) {
  switch (v.kind()) {
    case JsonValue::Kind::kNull:
      out->append("null");
      return;
    case JsonValue::Kind::kBool:
      out->append(v.bool_value() ? "true" : "false");
      return;
    case JsonValue::Kind::kNumber:
      out->append(v.number_text());
      return;
    case JsonValue::Kind::kString:
      AppendJsonString(v.string_value(), out);
      return;
    case JsonValue::Kind::kArray: {
      out->push_back('[');
      bool first = true;
      for (const JsonValue& e : v.array()) {
        if (!first) out->push_back(',');
        first = false;
        if (pretty) Indent(level + 1, out);
        AppendJsonImpl(e, pretty, level + 1, out);
      }
      if (pretty && !v.array().empty()) Indent(level, out);
      out->push_back(']');
      return;
    }
    case JsonValue::Kind::kObject: {
      out->push_back('{');
      bool first = true;
      for (const auto& [name, e] : v.object()) {
        if (!first) out->push_back(',');
        first = false;
        if (pretty) Indent(level + 1, out);
        AppendJsonString(name, out);
        out->append(pretty ? ": " : ":");
        AppendJsonImpl(e, pretty, level + 1, out);
      }
      if (pretty && !v.object().empty()) Indent(level, out);
      out->push_back('}');
      return;
    }
  }
}

}  // namespace

absl::StatusOr<JsonValue> ParseJson(std::string_view text, int max_depth) {
  return Parser(text, max_depth).ParseDocument();
}

void AppendJsonString(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(s.data() + start, i - start);
    start = i + 1;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default: {
        const char esc[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out->append(esc, sizeof(esc));
      }
    }
  }
  out->append(s.data() + start, s.size() - start);
  out->push_back('"');
}

void AppendJson(const JsonValue& value, bool pretty, std::string* out) {
  AppendJsonImpl(value, pretty, 0, out);
}

std::string PrintJson(const JsonValue& value, bool pretty) {
  std::string out;
  AppendJson(value, pretty, &out);
  return out;
}

}  // namespace kstone::core
