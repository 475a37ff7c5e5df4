// libpq COPY helpers for the event-path benches' baselines (rows written with COPY ... FROM
// STDIN on a raw connection, next to the store's own path). Header-only, since every
// bench/*.cpp is its own binary.
#pragma once

#include "sipbridge/store/Pg.h"

#include <libpq-fe.h>

#include <cstdint>
#include <cstdio>
#include <ctime>
#include <stdexcept>
#include <string>

namespace sipbridge::bench {

/// `ms` since the epoch as a PostgreSQL timestamptz literal in UTC, millisecond precision.
inline std::string isoUtc(std::int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char text[48];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d:%02d.%03d+00", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return text;
}

/// Appends `value` in COPY text format: backslash, tab, newline and carriage return escaped.
inline void appendCopyField(std::string& out, const std::string& value) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
}

/// Runs `statement` (a COPY ... FROM STDIN) on `conn` with `rows` as its data; throws
/// std::runtime_error with libpq's message when any step fails.
inline void copyRows(PGconn* conn, const std::string& statement, const std::string& rows) {
  store::PgResultPtr start(PQexec(conn, statement.c_str()));
  if (PQresultStatus(start.get()) != PGRES_COPY_IN)
    throw std::runtime_error(std::string("COPY: ") + PQerrorMessage(conn));
  if (PQputCopyData(conn, rows.data(), static_cast<int>(rows.size())) != 1 ||
      PQputCopyEnd(conn, nullptr) != 1)
    throw std::runtime_error(std::string("COPY data: ") + PQerrorMessage(conn));
  store::PgResultPtr end(PQgetResult(conn));
  if (PQresultStatus(end.get()) != PGRES_COMMAND_OK)
    throw std::runtime_error(std::string("COPY end: ") + PQerrorMessage(conn));
  while (PGresult* extra = PQgetResult(conn)) PQclear(extra);
}

}  // namespace sipbridge::bench
