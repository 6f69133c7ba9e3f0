# One list of warnings for every target we own (applied PRIVATE, never to third-party code).
option(VARPULIS_WERROR "Treat warnings as errors" ON)

set(VARPULIS_WARNINGS
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-qual
    -Wformat=2 -Wimplicit-fallthrough -Wmissing-declarations)
if(VARPULIS_WERROR)
  list(APPEND VARPULIS_WARNINGS -Werror)
endif()

function(varpulis_target_warnings target)
  target_compile_options(${target} PRIVATE ${VARPULIS_WARNINGS})
endfunction()
