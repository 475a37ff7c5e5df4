// sipbridge: the server and its command line.
//   sipbridge [--config FILE]                 serve (default)
//   sipbridge [--config FILE] migrate         apply schema migrations and exit
//   sipbridge [--config FILE] app add --key K [--url U] [--secret S] [--no-connect-hook]
//                                     [--development] [--client-cert PEM --client-key PEM]
//   sipbridge [--config FILE] app list | app remove --key K
#include "sipbridge/app/AppCommands.h"
#include "sipbridge/app/AppConfig.h"
#include "sipbridge/app/Runtime.h"

#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/PatternFormatter.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/OptionCallback.h>
#include <Poco/Util/ServerApplication.h>

#include <pthread.h>

#include <csignal>
#include <iostream>

namespace sipbridge::app {

class SipbridgeApplication : public Poco::Util::ServerApplication {
 protected:
  void defineOptions(Poco::Util::OptionSet& options) override {
    ServerApplication::defineOptions(options);
    options.addOption(Poco::Util::Option("config", "c", "properties file")
                          .argument("FILE")
                          .callback(Poco::Util::OptionCallback<SipbridgeApplication>(
                              this, &SipbridgeApplication::setConfig)));
    options.addOption(Poco::Util::Option("help", "h", "show usage")
                          .callback(Poco::Util::OptionCallback<SipbridgeApplication>(
                              this, &SipbridgeApplication::showHelp)));
  }

  int main(const std::vector<std::string>&) override {
    if (helpShown_) return EXIT_OK;
    try {
      AppConfig config = loadConfig(configFile_);
      setupLogging(config.logLevel, config.loggerLevels);
      return serve(std::move(config));
    } catch (const Poco::Exception& e) {
      std::cerr << "sipbridge: " << e.displayText() << '\n';
      return EXIT_SOFTWARE;
    } catch (const std::exception& e) {
      std::cerr << "sipbridge: " << e.what() << '\n';
      return EXIT_SOFTWARE;
    }
  }

 private:
  /// Serves until SIGINT, SIGTERM or SIGQUIT; SIGHUP rereads the HTTPS certificate. The
  /// signals are blocked before any thread starts (every thread inherits the mask), so only
  /// this thread takes them.
  int serve(AppConfig config) {
    sigset_t signals;
    sigemptyset(&signals);
    for (int signal : {SIGINT, SIGTERM, SIGQUIT, SIGHUP}) sigaddset(&signals, signal);
    if (pthread_sigmask(SIG_BLOCK, &signals, nullptr) != 0)
      throw Poco::SystemException("cannot block the termination and reload signals");
    Runtime runtime(std::move(config));
    runtime.start();
    for (;;) {
      int signal = 0;
      if (sigwait(&signals, &signal) != 0) break;
      if (signal != SIGHUP) break;
      runtime.reloadCertificate();
    }
    runtime.stop();
    return EXIT_OK;
  }

  void setupLogging(const std::string& level,
                    const std::vector<std::pair<std::string, std::string>>& loggerLevels) {
    Poco::AutoPtr<Poco::PatternFormatter> formatter(
        new Poco::PatternFormatter("%Y-%m-%dT%H:%M:%S.%iZ %p %s: %t"));
    Poco::AutoPtr<Poco::FormattingChannel> channel(
        new Poco::FormattingChannel(formatter, new Poco::ConsoleChannel(std::cerr)));
    Poco::Logger::root().setChannel(channel);
    Poco::Logger::root().setLevel(level);
    Poco::Logger::setLevel("", Poco::Logger::parseLevel(level));
    for (const auto& [name, loggerLevel] : loggerLevels)
      Poco::Logger::setLevel(name, Poco::Logger::parseLevel(loggerLevel));
  }

  void setConfig(const std::string&, const std::string& value) { configFile_ = value; }

  void showHelp(const std::string&, const std::string&) {
    Poco::Util::HelpFormatter help(options());
    help.setCommand(commandName());
    help.setUsage("[--config FILE] [serve | migrate | app add|list|remove ...]");
    help.setHeader("sipbridge: REST and WebSocket API to SIP, with durable events and hooks.");
    help.format(std::cout);
    helpShown_ = true;
    stopOptionsProcessing();
  }

  std::string configFile_ = "etc/sipbridge.properties";
  bool helpShown_ = false;
};

}  // namespace sipbridge::app

/// Subcommands take their own --flags, which Poco's option parser would refuse: they are
/// run directly; serving goes through ServerApplication (signals, --help).
int main(int argc, char** argv) {
  // A peer closing a TLS connection must fail the write, not end the process (OpenSSL
  // writes to its sockets without MSG_NOSIGNAL).
  std::signal(SIGPIPE, SIG_IGN);
  std::string config = "etc/sipbridge.properties";
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--config" || arg == "-c") && i + 1 < argc && args.empty()) {
      config = argv[++i];
    } else if (arg.rfind("--config=", 0) == 0 && args.empty()) {
      config = arg.substr(9);
    } else if (!args.empty() || arg.rfind("-", 0) != 0) {
      args.push_back(arg);
    }
  }
  if (args.empty() || args[0] == "serve") {
    sipbridge::app::SipbridgeApplication application;
    return application.run(argc, argv);
  }
  try {
    const auto settings = sipbridge::app::loadConfig(config);
    return sipbridge::app::runCommand(settings, args, std::cout, std::cerr);
  } catch (const Poco::Exception& e) {
    std::cerr << "sipbridge: " << e.displayText() << '\n';
  } catch (const std::exception& e) {
    std::cerr << "sipbridge: " << e.what() << '\n';
  }
  return 70;  // EX_SOFTWARE
}
