#include "WebDriver.h"

#include <Poco/Base64Decoder.h>
#include <Poco/File.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Path.h>
#include <Poco/StreamCopier.h>

#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace sipbridge::test {
namespace {

const char* const kElementKey = "element-6066-11e4-a52e-4f735466cecf";

Poco::JSON::Object::Ptr object() {
  return new Poco::JSON::Object;
}

}  // namespace

ChromeDriver::ChromeDriver() : port_(freePort()) {
  const std::string logFile = dir_.path() + "/chromedriver.log";
  const std::string portArg = "--port=" + std::to_string(port_);
  const std::string logArg = "--log-path=" + logFile;
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    execl("/usr/bin/chromedriver", "chromedriver", portArg.c_str(), logArg.c_str(),
          "--allowed-ips=127.0.0.1", static_cast<char*>(nullptr));
    _exit(127);
  }
  pid_ = pid;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      const auto status = command("GET", "/status");
      if (status.extract<Poco::JSON::Object::Ptr>()->optValue<bool>("ready", false)) return;
    } catch (const std::exception&) {
    }
    int exited = 0;
    if (waitpid(pid_, &exited, WNOHANG) == pid_) {
      pid_ = 0;
      throw std::runtime_error("chromedriver exited at start (is chromium-driver installed?)");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error("chromedriver did not become ready:\n" + log());
}

ChromeDriver::~ChromeDriver() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
}

std::string ChromeDriver::log() const {
  std::ifstream in(dir_.path() + "/chromedriver.log");
  std::stringstream text;
  text << in.rdbuf();
  const std::string all = text.str();
  return all.size() > 4000 ? all.substr(all.size() - 4000) : all;
}

Poco::Dynamic::Var ChromeDriver::command(const std::string& method, const std::string& path,
                                         const Poco::JSON::Object::Ptr& body) const {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port_));
  session.setTimeout(Poco::Timespan(90, 0));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  std::string text;
  if (body) {
    std::ostringstream out;
    body->stringify(out);
    text = out.str();
    request.setContentType("application/json; charset=utf-8");
    request.setContentLength(static_cast<std::streamsize>(text.size()));
  }
  session.sendRequest(request) << text;
  Poco::Net::HTTPResponse response;
  std::string answer;
  Poco::StreamCopier::copyToString(session.receiveResponse(response), answer);
  Poco::Dynamic::Var value;
  if (!answer.empty()) {
    const auto parsed = Poco::JSON::Parser().parse(answer).extract<Poco::JSON::Object::Ptr>();
    value = parsed->get("value");
  }
  if (response.getStatus() >= 400) {
    std::string error = answer;
    if (value.type() == typeid(Poco::JSON::Object::Ptr)) {
      const auto details = value.extract<Poco::JSON::Object::Ptr>();
      error = details->optValue<std::string>("error", "") + ": " +
              details->optValue<std::string>("message", "");
    }
    throw std::runtime_error("WebDriver " + method + " " + path + " failed: " + error);
  }
  return value;
}

Browser::Browser(const ChromeDriver& driver, int width, int height) : driver_(driver) {
  Poco::JSON::Array::Ptr args = new Poco::JSON::Array;
  for (const char* flag :
       {"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--disable-extensions", "--disable-default-apps"})
    args->add(std::string(flag));
  args->add("--user-data-dir=" + profile_.path());
  args->add("--window-size=" + std::to_string(width) + "," + std::to_string(height));
  auto options = object();
  options->set("binary", std::string("/usr/bin/chromium"));
  options->set("args", args);
  auto always = object();
  always->set("browserName", std::string("chrome"));
  always->set("goog:chromeOptions", options);
  auto capabilities = object();
  capabilities->set("alwaysMatch", always);
  auto body = object();
  body->set("capabilities", capabilities);
  const auto created = driver_.command("POST", "/session", body);
  session_ = created.extract<Poco::JSON::Object::Ptr>()->getValue<std::string>("sessionId");
  auto timeouts = object();
  timeouts->set("script", 30000);
  timeouts->set("pageLoad", 30000);
  driver_.command("POST", "/session/" + session_ + "/timeouts", timeouts);
}

Browser::~Browser() {
  try {
    driver_.command("DELETE", "/session/" + session_);
  } catch (const std::exception&) {
    // the browser is gone already
  }
}

void Browser::open(const std::string& url) {
  auto body = object();
  body->set("url", url);
  driver_.command("POST", "/session/" + session_ + "/url", body);
}

void Browser::reload() {
  driver_.command("POST", "/session/" + session_ + "/refresh", object());
}

std::string Browser::element(const std::string& css) {
  auto body = object();
  body->set("using", std::string("css selector"));
  body->set("value", css);
  const auto found = driver_.command("POST", "/session/" + session_ + "/element", body);
  return found.extract<Poco::JSON::Object::Ptr>()->getValue<std::string>(kElementKey);
}

void Browser::click(const std::string& css) {
  driver_.command("POST", "/session/" + session_ + "/element/" + element(css) + "/click", object());
}

void Browser::type(const std::string& css, const std::string& text) {
  auto body = object();
  body->set("text", text);
  driver_.command("POST", "/session/" + session_ + "/element/" + element(css) + "/value", body);
}

Poco::Dynamic::Var Browser::script(const std::string& body, const Poco::JSON::Array::Ptr& args) {
  auto request = object();
  request->set("script", body);
  request->set("args", args ? args : Poco::JSON::Array::Ptr(new Poco::JSON::Array));
  return driver_.command("POST", "/session/" + session_ + "/execute/sync", request);
}

Poco::Dynamic::Var Browser::asyncScript(const std::string& body,
                                        const Poco::JSON::Array::Ptr& args) {
  auto request = object();
  request->set("script", body);
  request->set("args", args ? args : Poco::JSON::Array::Ptr(new Poco::JSON::Array));
  return driver_.command("POST", "/session/" + session_ + "/execute/async", request);
}

bool Browser::waitFor(const std::string& expression, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto value = script("try { return !!(" + expression + "); } catch (e) { return false; }");
    if (value.type() == typeid(bool) && value.extract<bool>()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void Browser::screenshot(const std::string& path) {
  const auto value = driver_.command("GET", "/session/" + session_ + "/screenshot");
  std::istringstream encoded(value.toString());
  Poco::Base64Decoder decoder(encoded);
  std::string png;
  Poco::StreamCopier::copyToString(decoder, png);
  Poco::File(Poco::Path(path).parent()).createDirectories();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(png.data(), static_cast<std::streamsize>(png.size()));
}

}  // namespace sipbridge::test
