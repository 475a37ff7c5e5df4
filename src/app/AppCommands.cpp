#include "sipbridge/app/AppCommands.h"

#include "sipbridge/api/Origins.h"
#include "sipbridge/core/Errors.h"
#include "sipbridge/core/Tokens.h"
#include "sipbridge/core/Validation.h"
#include "sipbridge/hooks/UrlPolicy.h"
#include "sipbridge/store/ConnectionPool.h"
#include "sipbridge/store/Migrations.h"
#include "sipbridge/store/PgAppDirectory.h"
#include "sipbridge/tls/ClientIdentity.h"
#include "sipbridge/tls/TlsErrors.h"

#include <Poco/StringTokenizer.h>

#include <fstream>
#include <map>
#include <sstream>

namespace sipbridge::app {
namespace {

constexpr int kUsage = 64;  // EX_USAGE

/// `--origins a,b` in canonical form; throws std::invalid_argument for a bad one.
std::vector<std::string> parseOrigins(const std::string& list) {
  std::vector<std::string> origins;
  Poco::StringTokenizer tokens(
      list, ",", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
  for (const auto& token : tokens) {
    try {
      origins.push_back(api::canonicalOrigin(token, "origins"));
    } catch (const core::DomainError& e) {
      throw std::invalid_argument("--origins: " + token + " " + e.message());
    }
  }
  return origins;
}

/// --name value pairs and bare --flags after the subcommand words.
std::map<std::string, std::string> parseFlags(const std::vector<std::string>& args,
                                              std::size_t from) {
  std::map<std::string, std::string> flags;
  for (std::size_t i = from; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) != 0) throw std::invalid_argument("unexpected argument: " + arg);
    const bool hasValue = i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0;
    flags[arg.substr(2)] = hasValue ? args[++i] : "";
  }
  return flags;
}

/// The whole content of `path`; throws std::invalid_argument naming `flag` when unreadable.
std::string readFile(const std::string& path, const std::string& flag) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("--" + flag + ": cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// "cert <subject> sha256 <fingerprint>" for listings, never the key.
std::string certificateColumn(const core::App& app) {
  if (app.clientCertificate.empty()) return "no-client-cert";
  try {
    const auto summary = tls::summarizeCertificate(app.clientCertificate);
    return "client-cert " + summary.subject + " sha256 " + summary.fingerprint;
  } catch (const tls::InvalidCertificate& e) {
    return "client-cert unreadable: " + e.message();
  }
}

/// "origins=a,b" or "no-origins" for listings.
std::string originsColumn(const core::App& app) {
  if (app.allowedOrigins.empty()) return "no-origins";
  std::string joined;
  for (const auto& origin : app.allowedOrigins) joined += (joined.empty() ? "" : ",") + origin;
  return "origins=" + joined;
}

int appCommand(const AppConfig& config, const std::vector<std::string>& args, std::ostream& out,
               std::ostream& err) {
  if (args.size() < 2) {
    err << "usage: app add --key K [--url U] [--secret S] [--no-connect-hook] [--origins O,...]"
           " [--development] [--client-cert PEMFILE --client-key PEMFILE]"
           " | app update --key K [--url U] [--secret S] [--connect-hook | --no-connect-hook]"
           " [--origins O,...] [--development | --no-development]"
           " [--client-cert PEMFILE --client-key PEMFILE] | app list | app remove --key K\n";
    return kUsage;
  }
  auto pool = std::make_shared<store::ConnectionPool>(config.store.conninfo, 1);
  store::Migrations::apply(*pool, config.store.schemaDir);
  store::PgAppDirectory apps(pool);
  const auto flags = parseFlags(args, 2);
  const std::string& verb = args[1];
  if (verb == "list") {
    for (const auto& app : apps.list())
      out << app.appKey << '\t' << (app.hookUrl.empty() ? "-" : app.hookUrl) << '\t'
          << (app.connectHook ? "connect-hook" : "no-connect-hook") << '\t'
          << (app.development ? "DEVELOPMENT (http allowed, https not verified)" : "production")
          << '\t' << certificateColumn(app) << '\t' << originsColumn(app)
          << (app.hookDisabled ? "\tdisabled (410)" : "") << '\n';
    return 0;
  }
  const auto key = flags.find("key");
  if (key == flags.end() || !core::checkAppKey(key->second).empty()) {
    err << "--key is required: 1 to 64 of letters, digits, '.', '_', '-'\n";
    return kUsage;
  }
  if (verb == "remove") {
    if (!apps.remove(key->second)) {
      err << "no application " << key->second << '\n';
      return 1;
    }
    out << "removed " << key->second << '\n';
    return 0;
  }
  if (verb != "add" && verb != "update") {
    err << "unknown app command: " << verb << '\n';
    return kUsage;
  }
  // add creates (or replaces) the application; update changes only the flags given.
  const auto existing = verb == "update" ? apps.find(key->second) : std::nullopt;
  if (verb == "update" && !existing) {
    err << "no application " << key->second << '\n';
    return 1;
  }
  core::App app = existing.value_or(core::App{});
  app.appKey = key->second;
  if (flags.count("development"))
    app.development = true;
  else if (flags.count("no-development") || !existing)
    app.development = false;
  if (auto url = flags.find("url"); url != flags.end()) {
    if (!url->second.empty())
      hooks::UrlPolicy(config.hooks.allowPrivate).check(url->second, app.development);
    app.hookUrl = url->second;
  }
  const auto cert = flags.find("client-cert");
  const auto certKey = flags.find("client-key");
  if ((cert == flags.end()) != (certKey == flags.end()))
    throw std::invalid_argument("--client-cert and --client-key go together");
  if (cert != flags.end()) {
    app.clientCertificate = readFile(cert->second, "client-cert");
    app.clientKey = readFile(certKey->second, "client-key");
    tls::checkPrivateKey(app.clientCertificate, app.clientKey);
  }
  auto secret = flags.find("secret");
  if (secret != flags.end())
    app.secret = secret->second;
  else if (!existing)
    app.secret = core::newSigningSecret();
  if (flags.count("no-connect-hook"))
    app.connectHook = false;
  else if (flags.count("connect-hook") || !existing)
    app.connectHook = true;
  if (auto origins = flags.find("origins"); origins != flags.end())
    app.allowedOrigins = parseOrigins(origins->second);
  const bool created = apps.put(app);
  out << (created ? "created " : "updated ") << app.appKey;
  if (!existing || secret != flags.end()) out << "\nsecret: " << app.secret;
  out << '\n';
  if (app.development)
    out << "marked development: hooks may use plain http and https certificates are not "
           "verified\n";
  if (!app.clientCertificate.empty()) out << certificateColumn(app) << '\n';
  return 0;
}

}  // namespace

int runCommand(const AppConfig& config, const std::vector<std::string>& args, std::ostream& out,
               std::ostream& err) {
  try {
    if (args[0] == "migrate") {
      store::ConnectionPool pool(config.store.conninfo, 1);
      const auto applied = store::Migrations::apply(pool, config.store.schemaDir);
      out << "migrations applied: " << applied.size() << '\n';
      return 0;
    }
    if (args[0] == "app") return appCommand(config, args, out, err);
    err << "unknown command: " << args[0] << '\n';
    return kUsage;
  } catch (const std::invalid_argument& e) {
    err << e.what() << '\n';
    return kUsage;
  }
}

}  // namespace sipbridge::app
