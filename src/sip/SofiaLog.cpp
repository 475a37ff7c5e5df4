#include "SofiaLog.h"

#include <Poco/Logger.h>
#include <Poco/Message.h>

#include <sofia-sip/su_log.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>

// sofia-sip exports these logs without declaring them in its public headers.
extern "C" {
extern su_log_t nua_log[];
extern su_log_t nta_log[];
extern su_log_t tport_log[];
}

namespace sipbridge::sip {

namespace {

/// sofia's threshold for a Poco level (Poco: 0 none, 1 fatal ... 8 trace).
unsigned sofiaThreshold(int pocoLevel) {
  switch (pocoLevel) {
    case Poco::Message::PRIO_FATAL:
      return 0;
    case Poco::Message::PRIO_CRITICAL:
      return 1;
    case Poco::Message::PRIO_ERROR:
      return 2;
    case Poco::Message::PRIO_DEBUG:
      return 5;
    case Poco::Message::PRIO_TRACE:
      return SU_LOG_MAX;
    default:
      return pocoLevel < Poco::Message::PRIO_FATAL ? 0 : 3;
  }
}

void logTo(Poco::Logger& logger, std::string line) {
  const int level = logger.getLevel();
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  if (line.empty() || level < Poco::Message::PRIO_FATAL) return;
  logger.log(
      Poco::Message(logger.name(), std::move(line), static_cast<Poco::Message::Priority>(level)));
}

/// The su_logger_f: `stream` is the Poco logger. Lines longer than the buffer are cut.
void logLine(void* stream, const char* format, va_list arguments) {
  if (!format) return;
  char buffer[2048];
  const int written = std::vsnprintf(buffer, sizeof buffer, format, arguments);
  if (written <= 0) return;
  const auto length = std::min<std::size_t>(static_cast<std::size_t>(written), sizeof buffer - 1);
  logTo(*static_cast<Poco::Logger*>(stream), std::string(buffer, length));
}

}  // namespace

unsigned sofiaLogThreshold() {
  return sofiaThreshold(Poco::Logger::get(kSofiaLoggerName).getLevel());
}

void logSofiaLine(const std::string& line) {
  logTo(Poco::Logger::get(kSofiaLoggerName), line);
}

void routeSofiaLog() {
  Poco::Logger& logger = Poco::Logger::get(kSofiaLoggerName);
  const unsigned threshold = sofiaThreshold(logger.getLevel());
  for (su_log_t* log : {su_log_default, nua_log, nta_log, tport_log}) {
    su_log_redirect(log, &logLine, &logger);
    su_log_set_level(log, threshold);
  }
}

}  // namespace sipbridge::sip
