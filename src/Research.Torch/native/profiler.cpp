// libtorch's operator profiler (the legacy, RecordFunction-based one: this libtorch has no Kineto),
// summed per operator name: calls, self time (an op's time less its child ops') and total time.
// Profiling is per thread, as in libtorch: it covers the ops the starting thread runs, and the
// backward the autograd engine runs for it on that thread (CPU).
#include "shim.h"

#include <torch/csrc/autograd/profiler_legacy.h>

#include <map>
#include <string>
#include <vector>

namespace {

struct OpRow {
  std::string name;
  int64_t calls = 0;
  double self_us = 0, total_us = 0;
};

using ProfileTable = std::vector<OpRow>;

namespace prof = torch::autograd::profiler;

ProfileTable summarise(const prof::thread_event_lists& lists) {
  std::map<std::string, OpRow> rows;
  struct Open {
    const prof::LegacyEvent* push;
    double child_us;
  };
  for (const auto& events : lists) {
    std::vector<Open> stack;
    for (const auto& e : events) {
      if (e.kind() == prof::EventKind::PushRange) {
        stack.push_back({&e, 0.0});
      } else if (e.kind() == prof::EventKind::PopRange) {
        // The matching push is the innermost open one with the same handle.
        auto it = stack.rbegin();
        while (it != stack.rend() && it->push->handle() != e.handle()) ++it;
        if (it == stack.rend()) continue;
        Open open = *it;
        stack.erase(std::next(it).base(), stack.end());
        double total = open.push->cpuElapsedUs(e);
        OpRow& row = rows[open.push->name()];
        row.calls += 1;
        row.total_us += total;
        row.self_us += total - open.child_us;
        if (!stack.empty()) stack.back().child_us += total;
      }
    }
  }
  ProfileTable table;
  table.reserve(rows.size());
  for (auto& [name, row] : rows) {
    row.name = name;
    table.push_back(std::move(row));
  }
  return table;
}

}  // namespace

RT_FN(rt_profiler_start, (), prof::enableProfilerLegacy(torch::profiler::impl::ProfilerConfig(torch::profiler::impl::ProfilerState::CPU)))

// *out: a table the caller frees with rt_profile_table_free.
RT_FN(rt_profiler_stop, (void** out), *out = new ProfileTable(summarise(prof::disableProfilerLegacy())))

RT_API int64_t rt_profile_table_size(void* table) { return static_cast<int64_t>(static_cast<ProfileTable*>(table)->size()); }

// *name stays valid until the table is freed.
RT_API void rt_profile_table_row(void* table, int64_t i, const char** name, int64_t* calls, double* self_us, double* total_us) {
  const OpRow& row = (*static_cast<ProfileTable*>(table))[static_cast<size_t>(i)];
  *name = row.name.c_str();
  *calls = row.calls;
  *self_us = row.self_us;
  *total_us = row.total_us;
}

RT_API void rt_profile_table_free(void* table) { delete static_cast<ProfileTable*>(table); }
