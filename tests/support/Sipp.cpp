#include "Sipp.h"

#include "TestEnv.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace sipbridge::test {
namespace {

/// tests/sipp/uac_message.xml with the expected final status set to `status`, in `dir`.
std::string uacScenario(const TempDir& dir, int status) {
  std::ifstream in(repoRoot() + "/tests/sipp/uac_message.xml");
  std::stringstream text;
  text << in.rdbuf();
  std::string scenario = text.str();
  const std::string ok = "<recv response=\"200\"";
  scenario.replace(scenario.find(ok), ok.size(),
                   "<recv response=\"" + std::to_string(status) + "\"");
  const std::string path = dir.path() + "/uac_" + std::to_string(status) + ".xml";
  std::ofstream(path) << scenario;
  return path;
}

std::string shellQuoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// The end of sipp's error and message logs in `directory` (what a failed run explains).
std::string sippLogs(const std::string& directory) {
  std::string logs;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    const std::string name = entry.path().filename().string();
    if (name.find("_errors.log") == std::string::npos &&
        name.find("_messages.log") == std::string::npos)
      continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    std::string content = text.str();
    if (content.size() > 6000) content = "..." + content.substr(content.size() - 6000);
    logs += "\n--- " + name + "\n" + content;
  }
  return logs;
}

}  // namespace

std::future<std::string> sippSendMessage(const std::string& remote, const std::string& ruri,
                                         const std::string& body, int status,
                                         const std::string& contentType,
                                         const std::string& transport) {
  return std::async(std::launch::async, [=] {
    TempDir dir;
    try {
      runCommand("cd " + dir.path() + " && sipp " + remote + " -sf " + uacScenario(dir, status) +
                 " -key ruri " + shellQuoted(ruri) + " -key body " + shellQuoted(body) +
                 " -key ctype " + shellQuoted(contentType) + " -t " + transport +
                 " -i 127.0.0.1 -p " + std::to_string(freePort()) +
                 " -m 1 -timeout 15s -timeout_error -nostdin >/dev/null");
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string();
  });
}

std::future<std::string> sippServe(const std::string& scenario, int port, int calls) {
  return std::async(std::launch::async, [=] {
    TempDir dir;
    try {
      runCommand("cd " + dir.path() + " && sipp -sf " + repoRoot() + "/tests/sipp/" + scenario +
                 " -i 127.0.0.1 -p " + std::to_string(port) + " -m " + std::to_string(calls) +
                 " -timeout 15s -timeout_error -nostdin -trace_err -trace_msg >/dev/null");
    } catch (const std::exception& e) {
      return std::string(e.what()) + sippLogs(dir.path());
    }
    return std::string();
  });
}

std::future<std::string> sippClient(const std::string& scenario, const std::string& remote,
                                    const std::map<std::string, std::string>& keys) {
  return std::async(std::launch::async, [=] {
    TempDir dir;
    std::string options;
    for (const auto& [name, value] : keys) options += " -key " + name + " " + shellQuoted(value);
    try {
      runCommand("cd " + dir.path() + " && sipp " + remote + " -sf " + repoRoot() + "/tests/sipp/" +
                 scenario + options + " -i 127.0.0.1 -p " + std::to_string(freePort()) +
                 " -m 1 -timeout 15s -timeout_error -nostdin -trace_err -trace_msg >/dev/null");
    } catch (const std::exception& e) {
      return std::string(e.what()) + sippLogs(dir.path());
    }
    return std::string();
  });
}

SippRtt readSippRtt(const std::string& directory) {
  SippRtt result;
  double first = 1e300, last = 0;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    const std::string name = entry.path().filename().string();
    if (name.size() < 8 || name.substr(name.size() - 8) != "_rtt.csv") continue;
    std::ifstream in(entry.path());
    std::string line;
    std::getline(in, line);  // header: Date_ms;response_time_ms;rtd_no
    while (std::getline(in, line)) {
      double at = 0, rtt = 0;
      if (std::sscanf(line.c_str(), "%lf;%lf", &at, &rtt) != 2) continue;
      result.rttMs.push_back(rtt);
      first = std::min(first, at - rtt);
      last = std::max(last, at);
    }
  }
  if (!result.rttMs.empty()) {
    result.firstSentMs = first;
    result.lastAnsweredMs = last;
  }
  return result;
}

}  // namespace sipbridge::test
