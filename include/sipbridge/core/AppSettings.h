#pragma once

#include "sipbridge/core/AppDirectory.h"

#include <map>
#include <mutex>
#include <set>
#include <string>

namespace sipbridge::core {

/// The applications as live sessions see them: an AppDirectory that passes every call to the
/// store and remembers the last state of each application it read or wrote, so the settings
/// that act on every message (imdnMode) can be read without blocking, also on the SIP thread.
/// A change through this object (the admin API of this node) applies at once; a change made
/// elsewhere (another node, the command line) once refresh() has read it. Thread-safe.
class AppSettings final : public AppDirectory {
 public:
  explicit AppSettings(AppDirectory& store);

  /// Blocking, like the store's; each remembers what it read or wrote.
  std::optional<App> find(const std::string& appKey) override;
  std::vector<App> list() override;
  bool put(const App& app) override;
  bool remove(const std::string& appKey) override;

  /// Non-blocking: the application's imdnMode as last known ("automatic" when unknown).
  std::string imdnMode(const std::string& appKey) const;
  /// Blocking: reads these applications again from the store. A store that cannot be reached
  /// leaves what is remembered as it is (and the next refresh tries again).
  void refresh(const std::set<std::string>& appKeys);

 private:
  void remember(const App& app);

  AppDirectory& store_;
  mutable std::mutex mutex_;
  std::map<std::string, std::string> imdnModes_;  ///< appKey -> imdnMode
};

}  // namespace sipbridge::core
