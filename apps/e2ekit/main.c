/* e2ekit: the command-line messenger and calculator. Everything lives in commands.c. */
#include <stdio.h>

#include "cli.h"

int
main(int argc, char **argv)
{
    return e2ekit_main(argc, argv, stdout, stderr);
}
