#include "shell/key_args.h"

#include <cctype>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace kstone::shell {
namespace {

absl::string_view A(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

}  // namespace

absl::StatusOr<Value> ParseKeyPart(std::string_view text, KeyType type,
                                   std::string_view attribute) {
  switch (type) {
    case KeyType::kString:
      return Value::String(text);
    case KeyType::kNumber:
      return Value::Number(text);
    case KeyType::kBinary: {
      std::string bytes;
      if (!absl::Base64Unescape(A(text), &bytes)) {
        return absl::InvalidArgumentError(
            absl::StrCat("key ", A(attribute), " is binary (B): \"", A(text),
                         "\" is not valid base64"));
      }
      return Value::Binary(bytes);
    }
  }
  return absl::InvalidArgumentError("unknown key type");
}

absl::StatusOr<Key> ParseKey(const TableSchema& schema, std::string_view pk,
                             const std::optional<std::string>& sk) {
  absl::StatusOr<Value> pk_value = ParseKeyPart(pk, schema.partition_key_type(),
                                                schema.partition_key_name());
  if (!pk_value.ok()) return pk_value.status();
  if (!sk.has_value()) return Key(std::move(*pk_value));
  if (!schema.has_sort_key()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the table has no sort key, but a sort key \"", A(*sk),
                     "\" was given"));
  }
  absl::StatusOr<Value> sk_value =
      ParseKeyPart(*sk, schema.sort_key_type(), schema.sort_key_name());
  if (!sk_value.ok()) return sk_value.status();
  return Key(std::move(*pk_value), std::move(*sk_value));
}

absl::StatusOr<Item> ParseItemJson(std::string_view json) {
  return Item::FromJson(json);
}

absl::StatusOr<std::vector<std::string>> SplitWords(std::string_view line,
                                                    size_t* json_start) {
  std::vector<std::string> words;
  *json_start = std::string_view::npos;
  size_t i = 0;
  while (i < line.size()) {
    if (std::isspace(static_cast<unsigned char>(line[i]))) {
      ++i;
      continue;
    }
    if (line[i] == '{') {
      *json_start = i;
      break;
    }
    std::string word;
    if (line[i] == '\'') {
      size_t start = i++;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '\'') {
          if (i + 1 < line.size() && line[i + 1] == '\'') {
            word.push_back('\'');
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        word.push_back(line[i++]);
      }
      if (!closed) {
        return absl::InvalidArgumentError(absl::StrCat(
            "unterminated quoted string starting at column ", start + 1));
      }
    } else {
      while (i < line.size() &&
             !std::isspace(static_cast<unsigned char>(line[i]))) {
        word.push_back(line[i++]);
      }
    }
    words.push_back(std::move(word));
  }
  return words;
}

}  // namespace kstone::shell
