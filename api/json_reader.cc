#include "api/json_reader.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "api/absl_compat.h"
#include "core/types/number.h"

namespace kstone {
namespace {

constexpr int kMaxDepth = 32;

// Length of the valid UTF-8 sequence at s[i], or 0 if it is not one.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  size_t n;
  uint32_t cp;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return n;
}

void AppendUtf8(uint32_t cp, std::string* out) {
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

class Parser {
 public:
  // With raw_numbers, numbers are kept as written (DynamoDB JSON checks
  // them itself, and they are errors there anyway).
  // max_depth bounds container nesting; an item's own object is one more
  // level than its attributes may use.
  Parser(std::string_view text, bool raw_numbers, int max_depth = kMaxDepth)
      : text_(text), raw_numbers_(raw_numbers), max_depth_(max_depth) {}

  absl::StatusOr<Value> ParseDocument() {
    SkipSpace();
    absl::StatusOr<Value> v = ParseValue(0);
    if (!v.ok()) return v;
    SkipSpace();
    if (pos_ != text_.size())
      return Error("unexpected text after the JSON value");
    return v;
  }

 private:
  absl::Status Error(std::string_view what) const {
    size_t line = 1, column = 1;
    for (size_t i = 0; i < pos_ && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    return absl::InvalidArgumentError(absl::StrCat("invalid JSON at line ",
                                                   line, ", column ", column,
                                                   ": ", ToAbsl(what)));
  }

  void SkipSpace() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
            text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool Consume(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  absl::StatusOr<Value> ParseValue(int depth) {
    if (pos_ >= text_.size()) return Error("unexpected end of input");
    const char c = text_[pos_];
    if (c == '{' || c == '[') {
      if (depth >= max_depth_) {
        return Error(
            absl::StrCat("nesting deeper than ", kMaxDepth, " levels"));
      }
      return c == '{' ? ParseObject(depth + 1) : ParseArray(depth + 1);
    }
    if (c == '"') {
      absl::StatusOr<std::string> s = ParseString();
      if (!s.ok()) return s.status();
      return Value::String(*s);
    }
    if (c == '-' || (c >= '0' && c <= '9')) return ParseNumber();
    if (Consume("true")) return Value::Bool(true);
    if (Consume("false")) return Value::Bool(false);
    if (Consume("null")) return Value::Null();
    return Error(absl::StrCat("unexpected character '",
                              ToAbsl(text_.substr(pos_, 1)), "'"));
  }

  absl::StatusOr<Value> ParseObject(int depth) {
    ++pos_;  // '{'
    ValueMap members;
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      return Value::Map(std::move(members));
    }
    while (true) {
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != '"') {
        return Error("expected a member name in double quotes");
      }
      const size_t name_pos = pos_;
      absl::StatusOr<std::string> name = ParseString();
      if (!name.ok()) return name.status();
      SkipSpace();
      if (!Consume(":")) return Error("expected ':' after the member name");
      SkipSpace();
      absl::StatusOr<Value> v = ParseValue(depth);
      if (!v.ok()) return v;
      if (FindInMap(members, *name) != nullptr) {
        pos_ = name_pos;
        return Error(absl::StrCat("duplicate member name \"", *name, "\""));
      }
      SetInMap(&members, *name, std::move(*v));
      SkipSpace();
      if (Consume(",")) continue;
      if (Consume("}")) break;
      return Error("expected ',' or '}' in an object");
    }
    return Value::Map(std::move(members));
  }

  absl::StatusOr<Value> ParseArray(int depth) {
    ++pos_;  // '['
    std::vector<Value> elements;
    SkipSpace();
    if (Consume("]")) return Value::List(std::move(elements));
    while (true) {
      SkipSpace();
      absl::StatusOr<Value> v = ParseValue(depth);
      if (!v.ok()) return v;
      elements.push_back(std::move(*v));
      SkipSpace();
      if (Consume(",")) continue;
      if (Consume("]")) break;
      return Error("expected ',' or ']' in an array");
    }
    return Value::List(std::move(elements));
  }

  absl::StatusOr<Value> ParseNumber() {
    const size_t start = pos_;
    if (text_[pos_] == '-') ++pos_;
    auto digits = [&] {
      size_t n = 0;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
        ++pos_;
        ++n;
      }
      return n;
    };
    const size_t int_start = pos_;
    if (digits() == 0) return Error("expected a digit");
    if (text_[int_start] == '0' && pos_ - int_start > 1) {
      pos_ = int_start;
      return Error("leading zeros are not allowed in JSON numbers");
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      if (digits() == 0) return Error("expected a digit after '.'");
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) {
        ++pos_;
      }
      if (digits() == 0) return Error("expected a digit in the exponent");
    }
    std::string_view number = text_.substr(start, pos_ - start);
    if (!raw_numbers_) {
      absl::StatusOr<core::Number> n = core::Number::Parse(number);
      if (!n.ok()) {
        pos_ = start;
        return Error(absl::StrCat("number ", ToAbsl(number), ": ",
                                  n.status().message()));
      }
      return Value::Number(n->ToString());
    }
    return Value::Number(number);
  }

  absl::StatusOr<uint32_t> ParseHex4() {
    if (pos_ + 4 > text_.size()) return Error("truncated \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= c - '0';
      } else if (c >= 'a' && c <= 'f') {
        v |= c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        v |= c - 'A' + 10;
      } else {
        --pos_;
        return Error("bad hex digit in a \\u escape");
      }
    }
    return v;
  }

  absl::StatusOr<std::string> ParseString() {
    ++pos_;  // '"'
    std::string out;
    while (true) {
      if (pos_ >= text_.size()) return Error("unterminated string");
      const char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (static_cast<unsigned char>(c) < 0x20) {
        return Error("control character in a string (escape it)");
      }
      if (c != '\\') {
        const size_t n = Utf8SequenceLength(text_, pos_);
        if (n == 0) return Error("invalid UTF-8 in a string");
        out.append(text_.substr(pos_, n));
        pos_ += n;
        continue;
      }
      ++pos_;
      if (pos_ >= text_.size()) return Error("unterminated escape");
      const char e = text_[pos_++];
      switch (e) {
        case '"':
          out.push_back('"');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '/':
          out.push_back('/');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          absl::StatusOr<uint32_t> cp = ParseHex4();
          if (!cp.ok()) return cp.status();
          uint32_t code = *cp;
          if (code >= 0xDC00 && code <= 0xDFFF) {
            return Error("lone low surrogate in a \\u escape");
          }
          if (code >= 0xD800 && code <= 0xDBFF) {
            if (!Consume("\\u"))
              return Error("lone high surrogate in a \\u escape");
            absl::StatusOr<uint32_t> low = ParseHex4();
            if (!low.ok()) return low.status();
            if (*low < 0xDC00 || *low > 0xDFFF) {
              return Error("bad low surrogate in a \\u escape");
            }
            code = 0x10000 + ((code - 0xD800) << 10) + (*low - 0xDC00);
          }
          AppendUtf8(code, &out);
          break;
        }
        default:
          --pos_;
          return Error("bad escape character");
      }
    }
  }

  const std::string_view text_;
  const bool raw_numbers_;
  const int max_depth_;
  size_t pos_ = 0;
};

// ---- DynamoDB JSON ----------------------------------------------------------

absl::Status ShapeError(std::string_view path, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid DynamoDB JSON at ", ToAbsl(path), ": ", ToAbsl(what)));
}

absl::StatusOr<std::string> DecodeBase64(const Value& v,
                                         std::string_view path) {
  if (v.type() != ValueType::kString) {
    return ShapeError(path, "a binary value must be a base64 string");
  }
  std::string bytes;
  if (!absl::Base64Unescape(ToAbsl(v.AsString()), &bytes)) {
    return ShapeError(path, "invalid base64");
  }
  return bytes;
}

absl::StatusOr<std::string> NumberText(const Value& v, std::string_view path) {
  if (v.type() != ValueType::kString) {
    return ShapeError(
        path, "a number must be given as a string, e.g. {\"N\": \"1\"}");
  }
  absl::StatusOr<core::Number> n = core::Number::Parse(v.AsString());
  if (!n.ok()) return ShapeError(path, ToStd(n.status().message()));
  return n->ToString();
}

absl::StatusOr<std::vector<std::string>> SetElements(const Value& v,
                                                     std::string_view tag,
                                                     std::string_view path) {
  if (v.type() != ValueType::kList) {
    return ShapeError(path, absl::StrCat(ToAbsl(tag), " must be an array"));
  }
  std::vector<std::string> out;
  out.reserve(v.AsList().size());
  for (const Value& e : v.AsList()) {
    absl::StatusOr<std::string> s;
    if (tag == "NS") {
      s = NumberText(e, path);
    } else if (tag == "BS") {
      s = DecodeBase64(e, path);
    } else if (e.type() == ValueType::kString) {
      s = std::string(e.AsString());
    } else {
      s = ShapeError(path, "SS elements must be strings");
    }
    if (!s.ok()) return s.status();
    out.push_back(std::move(*s));
  }
  return out;
}

absl::StatusOr<Value> FromDynamo(const Value& v, const std::string& path);

absl::StatusOr<ValueMap> MembersFromDynamo(const Value& v,
                                           const std::string& path) {
  if (v.type() != ValueType::kMap) {
    return ShapeError(path, "expected an object of attribute values");
  }
  ValueMap out;
  out.reserve(v.AsMap().size());
  for (const auto& [name, member] : v.AsMap()) {
    absl::StatusOr<Value> converted =
        FromDynamo(member, path.empty() ? name : absl::StrCat(path, ".", name));
    if (!converted.ok()) return converted.status();
    out.emplace_back(name, std::move(*converted));
  }
  return out;
}

absl::StatusOr<Value> FromDynamo(const Value& v, const std::string& path) {
  const std::string& where = path.empty() ? std::string("the value") : path;
  if (v.type() != ValueType::kMap || v.AsMap().size() != 1) {
    return ShapeError(
        where,
        "an attribute value must be an object with exactly one "
        "type descriptor (S, N, B, BOOL, NULL, L, M, SS, NS, BS)");
  }
  const std::string& tag = v.AsMap()[0].first;
  const Value& body = v.AsMap()[0].second;
  if (tag == "S") {
    if (body.type() != ValueType::kString) {
      return ShapeError(where, "S must be a string");
    }
    return body;
  }
  if (tag == "N") {
    absl::StatusOr<std::string> n = NumberText(body, where);
    if (!n.ok()) return n.status();
    return Value::Number(*n);
  }
  if (tag == "B") {
    absl::StatusOr<std::string> b = DecodeBase64(body, where);
    if (!b.ok()) return b.status();
    return Value::Binary(*b);
  }
  if (tag == "BOOL") {
    if (body.type() != ValueType::kBool) {
      return ShapeError(where, "BOOL must be true or false");
    }
    return body;
  }
  if (tag == "NULL") {
    if (body.type() != ValueType::kBool || !body.AsBool()) {
      return ShapeError(where, "NULL must be true");
    }
    return Value::Null();
  }
  if (tag == "L") {
    if (body.type() != ValueType::kList) {
      return ShapeError(where, "L must be an array");
    }
    std::vector<Value> out;
    out.reserve(body.AsList().size());
    for (size_t i = 0; i < body.AsList().size(); ++i) {
      absl::StatusOr<Value> e =
          FromDynamo(body.AsList()[i], absl::StrCat(where, "[", i, "]"));
      if (!e.ok()) return e;
      out.push_back(std::move(*e));
    }
    return Value::List(std::move(out));
  }
  if (tag == "M") {
    absl::StatusOr<ValueMap> members = MembersFromDynamo(body, where);
    if (!members.ok()) return members.status();
    return Value::Map(std::move(*members));
  }
  if (tag == "SS" || tag == "NS" || tag == "BS") {
    absl::StatusOr<std::vector<std::string>> elements =
        SetElements(body, tag, where);
    if (!elements.ok()) return elements.status();
    if (tag == "SS") return Value::StringSet(std::move(*elements));
    if (tag == "NS") return Value::NumberSet(std::move(*elements));
    return Value::BinarySet(std::move(*elements));
  }
  return ShapeError(where,
                    absl::StrCat("unknown type descriptor \"", tag, "\""));
}

}  // namespace

absl::StatusOr<Value> ParseJsonValue(std::string_view json) {
  return Parser(json, /*raw_numbers=*/false).ParseDocument();
}

absl::StatusOr<Item> ParseJsonItem(std::string_view json) {
  absl::StatusOr<Value> v =
      Parser(json, /*raw_numbers=*/false, kMaxDepth + 1).ParseDocument();
  if (!v.ok()) return v.status();
  if (v->type() != ValueType::kMap) {
    return absl::InvalidArgumentError(
        absl::StrCat("item must be a JSON object, got ",
                     v->type() == ValueType::kList ? "an array" : "a scalar"));
  }
  return Item(std::move(v->MutableMap()));
}

absl::StatusOr<Value> ParseDynamoJsonValue(std::string_view json) {
  absl::StatusOr<Value> v =
      Parser(json, /*raw_numbers=*/true, 2 * kMaxDepth + 1).ParseDocument();
  if (!v.ok()) return v.status();
  return FromDynamo(*v, "");
}

absl::StatusOr<Item> ParseDynamoJsonItem(std::string_view json) {
  // DynamoDB JSON doubles the nesting: {"M": {...}} per level.
  absl::StatusOr<Value> v =
      Parser(json, /*raw_numbers=*/true, 2 * kMaxDepth + 2).ParseDocument();
  if (!v.ok()) return v.status();
  if (v->type() != ValueType::kMap) {
    return absl::InvalidArgumentError(
        "item must be a JSON object of attribute values");
  }
  absl::StatusOr<ValueMap> members = MembersFromDynamo(*v, "");
  if (!members.ok()) return members.status();
  return Item(std::move(*members));
}

}  // namespace kstone
