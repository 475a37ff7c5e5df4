#pragma once

#include "TestEnv.h"

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <chrono>
#include <string>

namespace sipbridge::test {

/// Debian's chromedriver on a free loopback port, started on construction and stopped on
/// destruction. Speaks the W3C WebDriver protocol (JSON over HTTP, POCO's client).
class ChromeDriver {
 public:
  ChromeDriver();
  ~ChromeDriver();
  ChromeDriver(const ChromeDriver&) = delete;
  ChromeDriver& operator=(const ChromeDriver&) = delete;

  /// One WebDriver command; returns its `value`. Throws std::runtime_error with the driver's
  /// error and message when the command fails.
  Poco::Dynamic::Var command(const std::string& method, const std::string& path,
                             const Poco::JSON::Object::Ptr& body = nullptr) const;
  /// The driver's log (for failure messages).
  std::string log() const;

 private:
  TempDir dir_;
  int port_;
  int pid_ = 0;
};

/// One headless Chromium with a fresh profile (one WebDriver session), closed on destruction.
/// Started with the flags this machine's closed network needs (no background networking, no
/// component updates, no QUIC).
class Browser {
 public:
  explicit Browser(const ChromeDriver& driver, int width = 1280, int height = 800);
  ~Browser();
  Browser(const Browser&) = delete;
  Browser& operator=(const Browser&) = delete;

  void open(const std::string& url);
  void reload();
  /// Clicks the first element matching the CSS selector (a real pointer click).
  void click(const std::string& css);
  /// Types `text` into the first element matching the CSS selector.
  void type(const std::string& css, const std::string& text);
  /// Runs `body` as the body of a JavaScript function (arguments in `args`); returns its value.
  Poco::Dynamic::Var script(const std::string& body, const Poco::JSON::Array::Ptr& args = nullptr);
  /// Runs `body` asynchronously: it calls `arguments[arguments.length - 1](value)` when done.
  Poco::Dynamic::Var asyncScript(const std::string& body,
                                 const Poco::JSON::Array::Ptr& args = nullptr);
  /// Evaluates the JavaScript expression every 100 ms until it is truthy (true) or `timeout`
  /// passes (false).
  bool waitFor(const std::string& expression, std::chrono::milliseconds timeout);
  /// Writes a PNG screenshot of the page to `path` (directories created).
  void screenshot(const std::string& path);

 private:
  std::string element(const std::string& css);

  const ChromeDriver& driver_;
  TempDir profile_;
  std::string session_;
};

}  // namespace sipbridge::test
