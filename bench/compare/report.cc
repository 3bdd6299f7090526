#include "bench/compare/report.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace kstone::bench {
namespace {

template <typename T>
T Median(std::vector<T> v) {
  if (v.empty()) return T{};
  std::sort(v.begin(), v.end());
  const size_t mid = v.size() / 2;
  if (v.size() % 2 == 1) return v[mid];
  return (v[mid - 1] + v[mid]) / 2;
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      absl::StrAppend(&out, absl::StrFormat("\\u%04x", c));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string Human(double v) {
  if (v >= 1e9) return absl::StrFormat("%.2fG", v / 1e9);
  if (v >= 1e6) return absl::StrFormat("%.2fM", v / 1e6);
  if (v >= 1e4) return absl::StrFormat("%.1fk", v / 1e3);
  return absl::StrFormat("%.1f", v);
}

}  // namespace

Row Summarise(Row base, const std::vector<RunResult>& runs,
              const std::vector<uint64_t>& peak_rss) {
  Row row = std::move(base);
  std::vector<double> ops, bpi, dbpi, secs, cpu;
  std::vector<uint64_t> rss;
  for (size_t i = 0; i < runs.size(); ++i) {
    const RunResult& r = runs[i];
    if (r.kind != RunResult::Kind::kOk) {
      row.status =
          r.kind == RunResult::Kind::kUnsupported ? "unsupported" : "error";
      row.message = r.message;
      return row;
    }
    const double seconds = std::max(r.seconds, 1e-9);
    ops.push_back(static_cast<double>(r.ops) / seconds);
    secs.push_back(r.seconds);
    cpu.push_back(r.cpu_seconds * 1e9 /
                  static_cast<double>(std::max<uint64_t>(1, r.ops)));
    rss.push_back(peak_rss[i]);
    const double items = static_cast<double>(std::max<uint64_t>(1, r.items));
    const double grown = peak_rss[i] > r.baseline_rss
                             ? static_cast<double>(peak_rss[i] - r.baseline_rss)
                             : 0.0;
    bpi.push_back(grown / items);
    dbpi.push_back(static_cast<double>(r.disk_bytes) / items);
    row.items = r.items;
    row.item_bytes = r.item_bytes;
    if (!r.message.empty()) row.message = r.message;
  }
  row.status = "ok";
  row.repeats = static_cast<int>(runs.size());
  row.ops_per_sec = Median(ops);
  row.ns_per_op = row.ops_per_sec > 0 ? 1e9 / row.ops_per_sec : 0;
  row.cpu_ns_per_op = Median(cpu);
  row.peak_rss_bytes = Median(rss);
  row.bytes_per_item = Median(bpi);
  row.disk_bytes_per_item = row.on_disk ? Median(dbpi) : 0;
  if (row.workload == "recover") row.recover_seconds = Median(secs);
  return row;
}

double RatioKstoneOverPeer(const Row& row, const std::vector<Row>& rows) {
  if (row.status != "ok" || row.engine.rfind("kstone", 0) == 0 ||
      row.ops_per_sec <= 0) {
    return 0;
  }
  const std::string kstone = row.on_disk ? "kstone-disk" : "kstone-mem";
  for (const Row& k : rows) {
    if (k.engine == kstone && k.workload == row.workload &&
        k.threads == row.threads && k.status == "ok") {
      return k.ops_per_sec / row.ops_per_sec;
    }
  }
  return 0;
}

std::string FormatTable(const std::vector<Row>& rows, bool header) {
  std::string out;
  if (header) {
    out =
        absl::StrFormat("%-12s %2s %-13s %10s %10s %8s %9s %8s %9s %8s  %s\n",
                        "workload", "T", "engine", "ops/s", "ns/op", "cpu ns",
                        "peakRSS", "RSS B/it", "disk B/it", "kstone/x", "note");
  }
  for (const Row& r : rows) {
    if (r.status != "ok") {
      absl::StrAppend(
          &out, absl::StrFormat("%-12s %2d %-13s %s: %s\n", r.workload,
                                r.threads, r.engine, r.status, r.message));
      continue;
    }
    const double ratio = RatioKstoneOverPeer(r, rows);
    std::string note = r.message;
    if (r.workload == "recover") {
      note = absl::StrFormat("reopen %.3f s after %d items; %s",
                             r.recover_seconds, r.items, r.message);
    }
    absl::StrAppend(
        &out,
        absl::StrFormat(
            "%-12s %2d %-13s %10s %10.0f %8.0f %8.1fM %8.1f %9s %8s  %s\n",
            r.workload, r.threads, r.engine, Human(r.ops_per_sec), r.ns_per_op,
            r.cpu_ns_per_op, static_cast<double>(r.peak_rss_bytes) / (1 << 20),
            r.bytes_per_item,
            r.on_disk ? absl::StrFormat("%.1f", r.disk_bytes_per_item) : "-",
            ratio > 0 ? absl::StrFormat("%.2fx", ratio) : "-", note));
  }
  return out;
}

std::string FormatJsonLine(const Row& r, const std::vector<Row>& rows) {
  std::string out = absl::StrCat("{\"engine\":", JsonString(r.engine),
                                 ",\"workload\":", JsonString(r.workload),
                                 ",\"threads\":", r.threads, ",\"num\":", r.num,
                                 ",\"status\":", JsonString(r.status));
  if (r.status == "ok") {
    absl::StrAppend(
        &out, ",\"repeats\":", r.repeats,
        absl::StrFormat(
            ",\"ops_per_sec\":%.1f,\"ns_per_op\":%.1f,\"cpu_ns_per_op\":%.1f",
            r.ops_per_sec, r.ns_per_op, r.cpu_ns_per_op),
        ",\"peak_rss_bytes\":", r.peak_rss_bytes,
        absl::StrFormat(",\"bytes_per_item\":%.1f", r.bytes_per_item),
        ",\"items\":", r.items, ",\"item_bytes\":", r.item_bytes);
    if (r.on_disk) {
      absl::StrAppend(&out, absl::StrFormat(",\"disk_bytes_per_item\":%.1f",
                                            r.disk_bytes_per_item));
    }
    if (r.workload == "recover") {
      absl::StrAppend(&out, absl::StrFormat(",\"recover_seconds\":%.4f",
                                            r.recover_seconds));
    }
    const double ratio = RatioKstoneOverPeer(r, rows);
    if (ratio > 0) {
      absl::StrAppend(&out, absl::StrFormat(",\"kstone_ratio\":%.3f", ratio));
    }
  }
  if (!r.message.empty()) {
    absl::StrAppend(&out, ",\"message\":", JsonString(r.message));
  }
  return out + "}";
}

}  // namespace kstone::bench
