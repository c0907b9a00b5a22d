// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Result<T, E>: a small std::expected look-alike (C++20 has none).

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

namespace cunxin {

/// Wraps an error value so it can be returned where a Result is expected.
template <class E>
struct Unexpected {
    E error;
};

/// Builds an Unexpected from any error value.
template <class E>
Unexpected<std::decay_t<E>> unexpected(E&& e) {
    return {std::forward<E>(e)};
}

/// Either a value of T or an error of E.
template <class T, class E>
class [[nodiscard]] Expected {
public:
    using value_type = T;
    using error_type = E;

    Expected()
        requires std::is_default_constructible_v<T>
        : v_(std::in_place_index<0>) {}
    Expected(const T& v) : v_(std::in_place_index<0>, v) {}
    Expected(T&& v) : v_(std::in_place_index<0>, std::move(v)) {}
    template <class U>
        requires(std::is_constructible_v<T, U &&> && !std::is_same_v<std::decay_t<U>, Expected> &&
                 !std::is_same_v<std::decay_t<U>, T>)
    Expected(U&& v) : v_(std::in_place_index<0>, T(std::forward<U>(v))) {}
    template <class G>
    Expected(Unexpected<G> e) : v_(std::in_place_index<1>, E(std::move(e.error))) {}

    bool has_value() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    T& value() & { assert(has_value()); return std::get<0>(v_); }
    const T& value() const& { assert(has_value()); return std::get<0>(v_); }
    T&& value() && { assert(has_value()); return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    E& error() & { assert(!has_value()); return std::get<1>(v_); }
    const E& error() const& { assert(!has_value()); return std::get<1>(v_); }

    template <class U>
    T value_or(U&& fallback) const& {
        return has_value() ? value() : static_cast<T>(std::forward<U>(fallback));
    }

private:
    std::variant<T, E> v_;
};

/// Expected<void, E>: success or an error.
template <class E>
class [[nodiscard]] Expected<void, E> {
public:
    using value_type = void;
    using error_type = E;

    Expected() = default;
    template <class G>
    Expected(Unexpected<G> e) : err_(E(std::move(e.error))), ok_(false) {}

    bool has_value() const noexcept { return ok_; }
    explicit operator bool() const noexcept { return ok_; }
    void value() const { assert(ok_); }
    E& error() & { assert(!ok_); return err_; }
    const E& error() const& { assert(!ok_); return err_; }

private:
    E err_{};
    bool ok_ = true;
};

}  // namespace cunxin
