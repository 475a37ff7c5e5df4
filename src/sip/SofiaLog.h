#pragma once

#include <string>

namespace sipbridge::sip {

/// The Poco logger sofia-sip's own log goes to.
inline constexpr const char* kSofiaLoggerName = "sipbridge.sip.sofia";

/// Routes sofia-sip's own log (its default log and those of nua, nta and tport, which would
/// write to stderr) into the logger kSofiaLoggerName, one message per line. sofia tells a
/// redirect nothing about a line's severity, so the logger's level at the call sets sofia's
/// threshold (fatal 0, critical 1, error 2, warning to information 3: warnings and progress,
/// debug 5: protocol actions, trace 9: everything) and every line is logged at that level;
/// none silences sofia. Process-wide; it stays in place after the stack ends (the logger
/// lives as long as the process). Any thread.
void routeSofiaLog();

/// sofia's threshold for the current level of the logger kSofiaLoggerName (see routeSofiaLog).
unsigned sofiaLogThreshold();

/// Logs one line of sofia's log to kSofiaLoggerName at that logger's level, as routeSofiaLog
/// does; for a redirect of one sofia log that looks at the lines first (TlsTransport). Any
/// thread.
void logSofiaLine(const std::string& line);

}  // namespace sipbridge::sip
