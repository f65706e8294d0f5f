#ifndef KORE_WEBHOOK_DETAIL_C_HANDLE_HPP
#define KORE_WEBHOOK_DETAIL_C_HANDLE_HPP

// An owning pointer to an object of a C library, freed by that library's own function:
//
//   using evp_md_ptr = c_handle<EVP_MD, &EVP_MD_free>;

#include <memory>

namespace kore::webhook::detail {

template <auto Free>
struct free_with {
    template <class T>
    void operator()(T* object) const noexcept {
        Free(object);
    }
};

template <class T, auto Free>
using c_handle = std::unique_ptr<T, free_with<Free>>;

}  // namespace kore::webhook::detail

#endif
