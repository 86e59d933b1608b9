# Picky warnings (after curl's PickyWarnings.cmake). -Werror with FIXIT_WERROR.
set(FIXIT_WARNINGS
  -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
  -Wformat=2 -Wvla -Wimplicit-fallthrough -Wundef -fno-common
  -Wno-unused-parameter)
option(FIXIT_WERROR "Treat warnings as errors" OFF)
if(FIXIT_WERROR)
  list(APPEND FIXIT_WARNINGS -Werror)
endif()

# Sanitizers: -DFIXIT_SANITIZE=address (address+undefined) or thread.
set(FIXIT_SANITIZE "" CACHE STRING "address | thread | empty")
if(FIXIT_SANITIZE STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
elseif(FIXIT_SANITIZE STREQUAL "thread")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()
