#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace tokengate::cli {

/** Exit statuses of `tokengate check-config` (SPEC §2): 0 no errors (warnings allowed),
 *  1 the config has errors (serve would refuse it), 2 usage error or the named file
 *  cannot be opened (nothing was checked; as `explain`'s input errors). */
inline constexpr int check_ok = 0;
inline constexpr int check_errors = 1;
inline constexpr int check_usage = 2;

/** `tokengate check-config FILE`: every error and warning on `err` ("error: " or
 *  "warning: " + JSON path, message, position), then one summary line on `out`
 *  ("config OK (2 warnings)", "3 errors, 1 warning"). */
int run_check_config(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace tokengate::cli
