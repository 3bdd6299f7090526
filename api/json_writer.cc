#include "api/json_writer.h"

#include <string_view>

#include "absl/strings/escaping.h"
#include "api/absl_compat.h"

namespace kstone {
namespace {

void AppendQuoted(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
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
      default:
        if (u < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[u >> 4]);
          out->push_back(kHex[u & 0xF]);
        } else {
          out->push_back(c);  // UTF-8 passes through unchanged
        }
    }
  }
  out->push_back('"');
}

void AppendBase64Quoted(std::string_view bytes, std::string* out) {
  out->push_back('"');
  out->append(absl::Base64Escape(ToAbsl(bytes)));
  out->push_back('"');
}

// A valid number's text is a JSON number; anything else (only in values that
// writes would reject) is quoted so the output stays valid JSON.
void AppendNumber(std::string_view text, std::string* out) {
  bool plain = !text.empty();
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || c == '-' || c == '.' || c == 'e' ||
          c == 'E' || c == '+')) {
      plain = false;
    }
  }
  if (plain && (text[0] == '.' || text.back() == '.')) plain = false;
  if (plain) {
    out->append(text);
  } else {
    AppendQuoted(text, out);
  }
}

class Writer {
 public:
  Writer(JsonStyle style, std::string* out)
      : pretty_(style == JsonStyle::kPretty), out_(out) {}

  void Write(const Value& v) {
    switch (v.type()) {
      case ValueType::kString:
        AppendQuoted(v.AsString(), out_);
        return;
      case ValueType::kNumber:
        AppendNumber(v.AsNumber(), out_);
        return;
      case ValueType::kBinary:
        AppendBase64Quoted(v.AsBinary(), out_);
        return;
      case ValueType::kBool:
        out_->append(v.AsBool() ? "true" : "false");
        return;
      case ValueType::kNull:
        out_->append("null");
        return;
      case ValueType::kList:
        WriteArray(v.AsList().size(), [&](size_t i) { Write(v.AsList()[i]); });
        return;
      case ValueType::kMap:
        WriteObject(v.AsMap());
        return;
      case ValueType::kStringSet:
      case ValueType::kNumberSet:
      case ValueType::kBinarySet: {
        const auto& set = v.AsSet();
        WriteArray(set.size(), [&](size_t i) {
          if (v.type() == ValueType::kStringSet) {
            AppendQuoted(set[i], out_);
          } else if (v.type() == ValueType::kNumberSet) {
            AppendNumber(set[i], out_);
          } else {
            AppendBase64Quoted(set[i], out_);
          }
        });
        return;
      }
    }
  }

  void WriteObject(const ValueMap& members) {
    if (members.empty()) {
      out_->append("{}");
      return;
    }
    out_->push_back('{');
    ++depth_;
    bool first = true;
    for (const auto& [name, value] : members) {
      if (!first) out_->push_back(',');
      first = false;
      NewLine();
      AppendQuoted(name, out_);
      out_->append(pretty_ ? ": " : ":");
      Write(value);
    }
    --depth_;
    NewLine();
    out_->push_back('}');
  }

 private:
  template <typename Fn>
  void WriteArray(size_t n, Fn element) {
    if (n == 0) {
      out_->append("[]");
      return;
    }
    out_->push_back('[');
    ++depth_;
    for (size_t i = 0; i < n; ++i) {
      if (i > 0) out_->push_back(',');
      NewLine();
      element(i);
    }
    --depth_;
    NewLine();
    out_->push_back(']');
  }

  void NewLine() {
    if (!pretty_) return;
    out_->push_back('\n');
    out_->append(2 * depth_, ' ');
  }

  const bool pretty_;
  std::string* const out_;
  int depth_ = 0;
};

void AppendDynamoSet(std::string_view tag, const std::vector<std::string>& set,
                     bool base64, std::string* out) {
  out->append("{\"");
  out->append(tag);
  out->append("\":[");
  for (size_t i = 0; i < set.size(); ++i) {
    if (i > 0) out->push_back(',');
    if (base64) {
      AppendBase64Quoted(set[i], out);
    } else {
      AppendQuoted(set[i], out);
    }
  }
  out->append("]}");
}

}  // namespace

void AppendJson(const Value& value, JsonStyle style, std::string* out) {
  Writer(style, out).Write(value);
}

void AppendJson(const ValueMap& members, JsonStyle style, std::string* out) {
  Writer(style, out).WriteObject(members);
}

void AppendDynamoJson(const Value& v, std::string* out) {
  switch (v.type()) {
    case ValueType::kString:
      out->append("{\"S\":");
      AppendQuoted(v.AsString(), out);
      break;
    case ValueType::kNumber:
      out->append("{\"N\":");
      AppendQuoted(v.AsNumber(), out);
      break;
    case ValueType::kBinary:
      out->append("{\"B\":");
      AppendBase64Quoted(v.AsBinary(), out);
      break;
    case ValueType::kBool:
      out->append(v.AsBool() ? "{\"BOOL\":true" : "{\"BOOL\":false");
      break;
    case ValueType::kNull:
      out->append("{\"NULL\":true");
      break;
    case ValueType::kList:
      out->append("{\"L\":[");
      for (size_t i = 0; i < v.AsList().size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendDynamoJson(v.AsList()[i], out);
      }
      out->push_back(']');
      break;
    case ValueType::kMap:
      out->append("{\"M\":");
      AppendDynamoJson(v.AsMap(), out);
      break;
    case ValueType::kStringSet:
      AppendDynamoSet("SS", v.AsSet(), false, out);
      return;
    case ValueType::kNumberSet:
      AppendDynamoSet("NS", v.AsSet(), false, out);
      return;
    case ValueType::kBinarySet:
      AppendDynamoSet("BS", v.AsSet(), true, out);
      return;
  }
  out->push_back('}');
}

void AppendDynamoJson(const ValueMap& members, std::string* out) {
  out->push_back('{');
  bool first = true;
  for (const auto& [name, value] : members) {
    if (!first) out->push_back(',');
    first = false;
    AppendQuoted(name, out);
    out->push_back(':');
    AppendDynamoJson(value, out);
  }
  out->push_back('}');
}

}  // namespace kstone
