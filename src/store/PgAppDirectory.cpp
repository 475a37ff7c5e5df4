#include "sipbridge/store/PgAppDirectory.h"

#include "Edge.h"
#include "sipbridge/store/ConnectionPool.h"
#include "sipbridge/store/PgArray.h"

#include <sstream>

namespace sipbridge::store {

namespace {

const std::string kColumns = "app_key, hook_url, secret, connect_hook, hook_disabled, " +
                             msOf("created_at") +
                             ", imdn_mode, array_to_string(allowed_origins, ' '), development, "
                             "client_certificate, client_key";

/// Origins are stored canonical (no spaces), so a space-joined list splits back exactly.
std::vector<std::string> splitOrigins(const std::string& joined) {
  std::vector<std::string> out;
  std::istringstream in(joined);
  for (std::string origin; in >> origin;) out.push_back(origin);
  return out;
}

core::App appAt(const PgResult& r, int row) {
  core::App app;
  app.appKey = r.text(row, 0);
  app.hookUrl = r.text(row, 1);
  app.secret = r.text(row, 2);
  app.connectHook = r.boolean(row, 3);
  app.hookDisabled = r.boolean(row, 4);
  app.createdMs = r.int64(row, 5);
  app.imdnMode = r.text(row, 6);
  app.allowedOrigins = splitOrigins(r.text(row, 7));
  app.development = r.boolean(row, 8);
  app.clientCertificate = r.text(row, 9);
  app.clientKey = r.text(row, 10);
  return app;
}

const char* flag(bool value) {
  return value ? "true" : "false";
}

}  // namespace

PgAppDirectory::PgAppDirectory(std::shared_ptr<ConnectionPool> pool) : pool_(std::move(pool)) {}

std::optional<core::App> PgAppDirectory::find(const std::string& appKey) {
  return atEdge([&]() -> std::optional<core::App> {
    auto conn = pool_->acquire();
    auto r = conn->exec("SELECT " + kColumns + " FROM apps WHERE app_key = $1", {appKey});
    if (r.rows() == 0) return std::nullopt;
    return appAt(r, 0);
  });
}

std::vector<core::App> PgAppDirectory::list() {
  return atEdge([&] {
    auto conn = pool_->acquire();
    auto r = conn->exec("SELECT " + kColumns + " FROM apps ORDER BY app_key");
    std::vector<core::App> apps;
    for (int i = 0; i < r.rows(); ++i) apps.push_back(appAt(r, i));
    return apps;
  });
}

bool PgAppDirectory::put(const core::App& app) {
  return atEdge([&] {
    auto conn = pool_->acquire();
    // xmax = 0 only for a row this statement inserted (not for one it updated).
    auto r = conn->exec(
        "INSERT INTO apps (app_key, hook_url, secret, connect_hook, hook_disabled, imdn_mode, "
        "allowed_origins, development, client_certificate, client_key) "
        "VALUES ($1, $2, $3, $4::boolean, $5::boolean, $6, $7::text[], $8::boolean, $9, $10) "
        "ON CONFLICT (app_key) DO UPDATE SET hook_url = EXCLUDED.hook_url, "
        "secret = EXCLUDED.secret, connect_hook = EXCLUDED.connect_hook, "
        "hook_disabled = EXCLUDED.hook_disabled, imdn_mode = EXCLUDED.imdn_mode, "
        "allowed_origins = EXCLUDED.allowed_origins, development = EXCLUDED.development, "
        "client_certificate = EXCLUDED.client_certificate, client_key = EXCLUDED.client_key "
        "RETURNING (xmax = 0)",
        {app.appKey, app.hookUrl, app.secret, flag(app.connectHook), flag(app.hookDisabled),
         app.imdnMode.empty() ? std::string("automatic") : app.imdnMode,
         PgArray::text(app.allowedOrigins), flag(app.development), app.clientCertificate,
         app.clientKey});
    return r.boolean(0, 0);
  });
}

bool PgAppDirectory::remove(const std::string& appKey) {
  return atEdge([&] {
    auto conn = pool_->acquire();
    return conn->exec("DELETE FROM apps WHERE app_key = $1", {appKey}).affected() > 0;
  });
}

}  // namespace sipbridge::store
