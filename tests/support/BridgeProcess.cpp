#include "BridgeProcess.h"

#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>

#include <sys/wait.h>
#include <unistd.h>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace sipbridge::test {

Poco::JSON::Object::Ptr HttpResult::json() const {
  Poco::JSON::Parser parser;
  return parser.parse(body).extract<Poco::JSON::Object::Ptr>();
}

HttpResult httpRequest(int port, const std::string& method, const std::string& path,
                       const std::string& body, const std::string& bearer,
                       const std::string& contentType) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  session.setTimeout(Poco::Timespan(60, 0));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!bearer.empty()) request.set("Authorization", "Bearer " + bearer);
  if (!body.empty() || method == "POST" || method == "PUT") {
    request.setContentType(contentType);
    request.setContentLength(static_cast<std::streamsize>(body.size()));
  }
  try {
    session.sendRequest(request) << body << std::flush;
  } catch (const Poco::IOException&) {
    // The server may answer (413) and close before reading an oversized body: read the answer.
  }
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  HttpResult result;
  result.status = response.getStatus();
  Poco::StreamCopier::copyToString(in, result.body);
  for (const auto& [name, value] : response) result.headers[Poco::toLower(name)] = value;
  return result;
}

BridgeProcess::BridgeProcess(const std::string& conninfo, const std::string& sipProxy,
                             std::map<std::string, std::string> env)
    : httpPort_(freePort()), adminToken_("test-admin-token-" + std::to_string(freePort())) {
  const std::string root = repoRoot();
  env_ = {{"SIPBRIDGE_DB_CONNINFO", conninfo},
          {"SIPBRIDGE_DB_SCHEMADIR", root + "/schema"},
          {"SIPBRIDGE_SIP_PROXY", sipProxy},
          {"SIPBRIDGE_SIP_BINDURL", "sip:127.0.0.1:" + std::to_string(freePortRange(kSipPorts))},
          {"SIPBRIDGE_SIP_MAXSESSIONSPERUSER", std::to_string(kSipPorts)},
          {"SIPBRIDGE_HTTP_PORT", std::to_string(httpPort_)},
          {"SIPBRIDGE_ADMIN_TOKEN", adminToken_},
          {"SIPBRIDGE_HOOKS_ALLOWPRIVATE", "true"},
          {"SIPBRIDGE_HOOKS_TIMEOUTSECONDS", "2"},
          {"SIPBRIDGE_HOOKS_LEASESECONDS", "5"},
          {"SIPBRIDGE_SIP_TRANSACTIONTIMEOUTMS", "4000"},
          {"SIPBRIDGE_LOGGING_LEVEL", "information"}};
  for (auto& [key, value] : env) env_[key] = value;
}

int BridgeProcess::sipPort() const {
  const std::string& url = env_.at("SIPBRIDGE_SIP_BINDURL");
  return std::stoi(url.substr(url.rfind(':') + 1));
}

BridgeProcess::~BridgeProcess() {
  if (pid_ > 0) kill9();
}

std::string BridgeProcess::envPrefix() const {
  std::string prefix;
  for (const auto& [key, value] : env_) {
    std::string quoted;
    for (char c : value) quoted += (c == '\'') ? std::string("'\\''") : std::string(1, c);
    prefix += key + "='" + quoted + "' ";
  }
  return prefix;
}

static std::string binary() {
  if (const char* bin = std::getenv("SIPBRIDGE_BIN")) return bin;
  return repoRoot() + "/build/release/sipbridge";
}

void BridgeProcess::start(const std::function<bool()>& healthy) {
  const std::string logFile = dir_.path() + "/sipbridge.log";
  const std::string config = repoRoot() + "/etc/sipbridge.properties";
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    for (const auto& [key, value] : env_) setenv(key.c_str(), value.c_str(), 1);
    FILE* log = std::fopen(logFile.c_str(), "a");
    if (log) {
      dup2(fileno(log), 1);
      dup2(fileno(log), 2);
    }
    const std::string bin = binary();
    execl(bin.c_str(), bin.c_str(), "--config", config.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  pid_ = pid;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = 0;
      throw std::runtime_error("sipbridge exited at start:\n" + log());
    }
    try {
      if (healthy ? healthy() : get("/health").status == 200) return;
    } catch (const std::exception&) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error("sipbridge did not become healthy:\n" + log());
}

int BridgeProcess::stop() {
  if (pid_ <= 0) return 0;
  ::kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = 0;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void BridgeProcess::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = 0;
}

void BridgeProcess::hangUp() {
  if (pid_ > 0) ::kill(pid_, SIGHUP);
}

std::string BridgeProcess::log() const {
  std::ifstream in(dir_.path() + "/sipbridge.log");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string BridgeProcess::command(const std::string& args) const {
  return runCommand(envPrefix() + binary() + " --config " + repoRoot() +
                    "/etc/sipbridge.properties " + args);
}

HttpResult BridgeProcess::post(const std::string& path, const std::string& body,
                               const std::string& bearer) const {
  return httpRequest(httpPort_, "POST", path, body, bearer);
}

HttpResult BridgeProcess::get(const std::string& path, const std::string& bearer) const {
  return httpRequest(httpPort_, "GET", path, {}, bearer);
}

HttpResult BridgeProcess::admin(const std::string& method, const std::string& path,
                                const std::string& body) const {
  return httpRequest(httpPort_, method, path, body, adminToken_);
}

const JsonSchemaCheck& BridgeProcess::asyncApi() const {
  std::lock_guard lock(asyncApiMutex_);
  if (!asyncApi_) {
    const HttpResult document = get("/api/v1/asyncapi.json");
    if (document.status != 200)
      throw std::runtime_error("GET /api/v1/asyncapi.json answered " +
                               std::to_string(document.status));
    asyncApi_ = std::make_unique<JsonSchemaCheck>(document.json());
  }
  return *asyncApi_;
}

}  // namespace sipbridge::test
