// libFuzzer target: arbitrary bytes as a manifest log. The input is split
// into records at 0xFF 0x00 pairs; each is decoded as a manifest edit and
// applied to one state. Decoding and applying must never crash; errors
// (DataLoss) are fine. A decoded edit must re-encode to bytes that decode to
// an equal edit.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/engine/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using kstone::core::ManifestEdit;
  using kstone::core::ManifestState;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> records;
  size_t start = 0;
  for (size_t i = 0; i + 1 < input.size(); ++i) {
    if (input[i] == '\xff' && input[i + 1] == '\0') {
      records.push_back(input.substr(start, i - start));
      start = i + 2;
      ++i;
    }
  }
  records.push_back(input.substr(start));

  ManifestState state;
  for (std::string_view record : records) {
    absl::StatusOr<ManifestEdit> edit = ManifestEdit::Decode(record);
    if (!edit.ok()) continue;
    absl::StatusOr<ManifestEdit> again = ManifestEdit::Decode(edit->Encode());
    if (!again.ok() || !(*again == *edit)) std::abort();
    if (!state.Apply(*edit).ok()) state = ManifestState();
  }
  // The snapshot of whatever state was reached must round-trip too.
  absl::StatusOr<ManifestEdit> snapshot =
      ManifestEdit::Decode(state.Snapshot().Encode());
  if (!snapshot.ok()) std::abort();
  ManifestState copy;
  if (!copy.Apply(*snapshot).ok()) std::abort();
  return 0;
}
