#include "sipbridge/api/MethodRegistry.h"

#include "sipbridge/api/HttpErrors.h"

#include <stdexcept>

namespace sipbridge::api {

void MethodRegistry::addEntry(Spec spec, Runner run) {
  const std::string name = spec.name;
  if (!entries_.try_emplace(name, Entry{std::move(spec), std::move(run)}).second)
    throw std::logic_error("method " + name + " is registered twice");
}

const MethodRegistry::Entry* MethodRegistry::find(const std::string& name) const {
  const auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : &it->second;
}

MethodReply MethodRegistry::run(const std::string& name, const core::SessionPtr& session,
                                const Poco::JSON::Object& body, const std::string& field) const {
  const Entry* entry = find(name);
  if (!entry) throw HttpError(404, "unknown_method", "no such method", field);
  return entry->run(session, body);
}

std::vector<std::string> MethodRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, entry] : entries_) out.push_back(name);
  return out;
}

std::vector<ServedOperation> MethodRegistry::operations() const {
  std::vector<ServedOperation> out;
  for (const auto& [name, entry] : entries_)
    out.push_back({"/api/v1/" + name, "POST", entry.spec.operationId});
  return out;
}

}  // namespace sipbridge::api
