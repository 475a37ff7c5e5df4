// libFuzzer target: parsePidf (XmlDocument underneath) on arbitrary bytes. It must succeed
// or throw ContentError, never fetch or expand anything. What parses must keep its
// invariants (basic open/closed/empty, no empty note, a leading tuple exactly when there are
// tuples), and the leading tuple rebuilt with buildPidf must parse back to the same values.
#include "sipbridge/content/ContentError.h"
#include "sipbridge/content/Pidf.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace sipbridge::content;

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  Presence presence;
  try {
    presence = parsePidf(xml);
  } catch (const ContentError&) {
    return 0;
  }
  check(!presence.entity.empty());
  for (const auto& tuple : presence.tuples) {
    check(!tuple.id.empty());
    check(tuple.basic.empty() || tuple.basic == "open" || tuple.basic == "closed");
    check(!tuple.priority || (*tuple.priority >= 0.0 && *tuple.priority <= 1.0));
    for (const auto& note : tuple.notes) check(!note.empty());
  }
  for (const auto& note : presence.notes) check(!note.empty());
  const Presence::Tuple* leading = leadingTuple(presence);
  check((leading == nullptr) == presence.tuples.empty());
  if (leading == nullptr) return 0;
  const std::string note = summaryNote(presence);
  std::string built;
  try {
    built = buildPidf(presence.entity, leading->basic == "open", note, leading->id);
  } catch (const ContentError&) {
    return 0;  // an entity without scheme or a tuple id that is not an ASCII name
  }
  XmlLimits limits;
  limits.maxBytes = built.size();
  const Presence back = parsePidf(built, limits);
  check(back.entity == presence.entity);
  check(back.tuples.size() == 1 && back.tuples[0].id == leading->id);
  check(back.tuples[0].basic == (leading->basic == "open" ? "open" : "closed"));
  check(summaryNote(back) == note);
  return 0;
}
