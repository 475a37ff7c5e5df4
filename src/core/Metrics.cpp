#include "sipbridge/core/Metrics.h"

#include <sstream>

namespace sipbridge::core {

Counter& Metrics::counter(const std::string& name, const std::string& help,
                          const std::string& labels) {
  std::lock_guard lock(mutex_);
  Family& family = families_[name];
  family.help = help;
  family.type = "counter";
  auto& slot = family.counters[labels];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

void Metrics::gauge(const std::string& name, const std::string& help, std::function<double()> read,
                    const std::string& labels) {
  std::lock_guard lock(mutex_);
  Family& family = families_[name];
  family.help = help;
  family.type = "gauge";
  family.gauges[labels] = std::move(read);
}

std::string Metrics::render() const {
  std::lock_guard lock(mutex_);
  std::ostringstream out;
  for (const auto& [name, family] : families_) {
    out << "# HELP " << name << ' ' << family.help << '\n';
    out << "# TYPE " << name << ' ' << family.type << '\n';
    for (const auto& [labels, counter] : family.counters)
      out << name << labels << ' ' << counter->value() << '\n';
    for (const auto& [labels, read] : family.gauges) out << name << labels << ' ' << read() << '\n';
  }
  return out.str();
}

}  // namespace sipbridge::core
