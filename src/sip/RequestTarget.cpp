#include "RequestTarget.h"

namespace sipbridge::sip {

IncomingMessages::Target requestTarget(
    const sip_t* sip, const std::map<std::string, std::string>& contactUsers,
    const std::map<std::string, std::unique_ptr<Registration>>& registrations) {
  using Kind = IncomingMessages::Target::Kind;
  const url_t* uri = sip && sip->sip_request ? sip->sip_request->rq_url : nullptr;
  if (!uri || !uri->url_user) return {};
  auto contact = contactUsers.find(uri->url_user);
  if (contact == contactUsers.end()) return {Kind::Gone, ""};
  auto registration = registrations.find(contact->second);
  const bool registered =
      registration != registrations.end() && registration->second->isRegistered();
  return {registered ? Kind::Registered : Kind::Gone, contact->second};
}

}  // namespace sipbridge::sip
