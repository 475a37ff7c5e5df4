#include "sipbridge/core/AppSettings.h"

#include <Poco/Logger.h>

namespace sipbridge::core {

AppSettings::AppSettings(AppDirectory& store) : store_(store) {}

std::optional<App> AppSettings::find(const std::string& appKey) {
  auto app = store_.find(appKey);
  std::lock_guard lock(mutex_);
  if (app) {
    imdnModes_[app->appKey] = app->imdnMode;
  } else {
    imdnModes_.erase(appKey);
  }
  return app;
}

std::vector<App> AppSettings::list() {
  auto apps = store_.list();
  for (const App& app : apps) remember(app);
  return apps;
}

bool AppSettings::put(const App& app) {
  const bool created = store_.put(app);
  remember(app);
  return created;
}

bool AppSettings::remove(const std::string& appKey) {
  const bool removed = store_.remove(appKey);
  std::lock_guard lock(mutex_);
  imdnModes_.erase(appKey);
  return removed;
}

std::string AppSettings::imdnMode(const std::string& appKey) const {
  std::lock_guard lock(mutex_);
  auto it = imdnModes_.find(appKey);
  return it == imdnModes_.end() || it->second.empty() ? "automatic" : it->second;
}

void AppSettings::refresh(const std::set<std::string>& appKeys) {
  for (const std::string& appKey : appKeys) {
    try {
      find(appKey);
    } catch (const std::exception& e) {
      Poco::Logger::get("sipbridge.core")
          .warning("settings of application %s not refreshed: %s", appKey, std::string(e.what()));
      return;
    }
  }
}

void AppSettings::remember(const App& app) {
  std::lock_guard lock(mutex_);
  imdnModes_[app.appKey] = app.imdnMode;
}

}  // namespace sipbridge::core
