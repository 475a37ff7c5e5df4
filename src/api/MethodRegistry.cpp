#include "sipbridge/api/MethodRegistry.h"

namespace sipbridge::api {

void MethodRegistry::add(const std::string& name, MethodHandler handler, bool extension) {
  entries_[name] = Entry{std::move(handler), true, extension};
}

void MethodRegistry::addNotImplemented(const std::string& name, bool extension) {
  entries_[name] = Entry{{}, false, extension};
}

const MethodRegistry::Entry* MethodRegistry::find(const std::string& name) const {
  const auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : &it->second;
}

std::vector<std::string> MethodRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, entry] : entries_) out.push_back(name);
  return out;
}

}  // namespace sipbridge::api
