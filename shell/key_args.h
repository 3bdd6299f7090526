#ifndef KSTONE_SHELL_KEY_ARGS_H_
#define KSTONE_SHELL_KEY_ARGS_H_

// Parsing of the key and item arguments that `kstone put/get/delete` and the
// shell's put/get/delete commands take.
//
// A key part is typed by the table schema: S takes the text as is, N takes
// decimal text ("42", "1e3"), B takes base64. In the shell, words are bare
// (`user#1`) or single-quoted (`'two words'`, with '' for a quote).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kstone/item.h"
#include "kstone/key.h"
#include "kstone/schema.h"
#include "kstone/value.h"

namespace kstone::shell {

// The Value of key part `text` for a key attribute of type `type`.
// VALIDATION naming `attribute` for bad base64 (B).
absl::StatusOr<Value> ParseKeyPart(std::string_view text, KeyType type,
                                   std::string_view attribute);

// The key from a partition key word and an optional sort key word, typed by
// `schema`.
absl::StatusOr<Key> ParseKey(const TableSchema& schema, std::string_view pk,
                             const std::optional<std::string>& sk);

// An item from plain JSON text. VALIDATION if it is not a JSON object.
absl::StatusOr<Item> ParseItemJson(std::string_view json);

// Splits `line` into words (bare or 'single-quoted') until a word that starts
// with '{', whose position goes to *json_start (npos if there is none).
// VALIDATION for an unterminated quote.
absl::StatusOr<std::vector<std::string>> SplitWords(std::string_view line,
                                                    size_t* json_start);

}  // namespace kstone::shell

#endif  // KSTONE_SHELL_KEY_ARGS_H_
