#pragma once

#include "sipbridge/app/AppConfig.h"

#include <ostream>
#include <string>
#include <vector>

namespace sipbridge::app {

/// Runs a command-line subcommand (`migrate`, `app add|list|remove`) against the configured
/// database and returns the process exit code. Output for people goes to `out`, errors to `err`.
int runCommand(const AppConfig& config, const std::vector<std::string>& args, std::ostream& out,
               std::ostream& err);

}  // namespace sipbridge::app
