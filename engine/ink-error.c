/* ink-error.c: the INK_ERROR domain. */
#include "ink-error.h"

G_DEFINE_QUARK (ink-error-quark, ink_error)
