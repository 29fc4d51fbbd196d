/* e2ekit: the umbrella header. */
#ifndef E2EKIT_H
#define E2EKIT_H

#include <e2ekit/core.h>
#include <e2ekit/crypto.h>
#include <e2ekit/version.h>

#include <e2ekit/noise.h>
#include <e2ekit/signal.h>
#include <e2ekit/skype.h>
#include <e2ekit/telegram.h>
#include <e2ekit/viber.h>
#include <e2ekit/whatsapp.h>

#endif
