#include "local.h"
#  include <linux/sched.h>
#define TWO(a, b) \
    ((a) ## (b))
/* a comment with "quotes" and // inside */
char *s = L"wide\"" u8"utf8" 'c' '\'';
double d = 1.5e-3 + 0x1p+4 + .5f; // trailing \
   continued comment
a->b.c ## d;
