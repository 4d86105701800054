#pragma once

#include <string>
#include <utility>
#include <variant>

namespace tokengate {

/** A failure of bad outside input (a key file, a JWK, a flag): a message for a human. */
struct failure {
    std::string message;
};

/** A value or a failure message; for loaders whose errors must name what was wrong. */
template <class T>
class result {
public:
    result(T value) : v_(std::move(value)) {}           // NOLINT(google-explicit-constructor)
    result(failure f) : v_(std::move(f)) {}             // NOLINT(google-explicit-constructor)

    bool has_value() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    T& operator*() & { return std::get<0>(v_); }
    const T& operator*() const& { return std::get<0>(v_); }
    T&& operator*() && { return std::get<0>(std::move(v_)); }
    T* operator->() { return &std::get<0>(v_); }
    const T* operator->() const { return &std::get<0>(v_); }

    const std::string& error() const { return std::get<1>(v_).message; }

private:
    std::variant<T, failure> v_;
};

}  // namespace tokengate
