#ifndef KSTONE_UPDATE_H_
#define KSTONE_UPDATE_H_

// Update: an UpdateItem request (DynamoDB's UpdateExpression).
//
//   absl::StatusOr<kstone::Item> n = db.Update(
//       kstone::Key("user#1"),
//       kstone::Update("SET age = age + :one REMOVE temp")
//           .Value(":one", kstone::Value::Number("1"))
//           .Condition("attribute_exists(pk)"));
//
// SET, REMOVE, ADD and DELETE as DynamoDB (see docs/user-guide.md). Every
// right-hand side reads the item before the update. A missing item is
// created (holding its key attributes) unless the condition forbids it or
// every action is REMOVE or DELETE. Key attributes cannot be targets
// (VALIDATION). The item limits (400 KB, nesting 32, ...) are checked on
// the updated item: VALIDATION, nothing written.
//
// Database::Update returns per ReturnValues (default kAllNew): the whole new
// item, the old one, or only the targeted attributes (old or new values);
// an empty Item for kNone, or when nothing was there to return.
//
// Thread safety: a value type; const methods are safe for concurrent use.

#include <string>

#include "kstone/value.h"
#include "kstone/write_options.h"

namespace kstone {

// Placeholders (Name, Value) are shared by the update and the condition
// expression (Condition).
class Update : public ConditionalWrite<Update> {
 public:
  explicit Update(std::string expression)
      : expression_(std::move(expression)) {}

  Update& ReturnValues(kstone::ReturnValues rv) {
    return_values_ = rv;
    Changed();
    return *this;
  }

  const std::string& expression() const { return expression_; }
  // condition(): the condition and the placeholders of both expressions.
  kstone::ReturnValues return_values() const { return return_values_; }

 private:
  std::string expression_;
  kstone::ReturnValues return_values_ = kstone::ReturnValues::kAllNew;
};

}  // namespace kstone

#endif  // KSTONE_UPDATE_H_
