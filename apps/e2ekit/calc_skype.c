/* Calculators of the skype suite. */
#include "cli.h"

const struct calc_cmd calc_cmds_skype[] = {
    {0},
};
