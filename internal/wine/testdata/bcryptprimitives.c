/*
 * Test scaffolding for the Windows lane (internal/wine), never shipped: Go >= 1.22 programs import
 * ProcessPrng from bcryptprimitives.dll, which Wine 8 (Debian 12) lacks, so they die with
 * "bcryptprimitives.dll not found". This DLL exports ProcessPrng on top of advapi32's
 * SystemFunction036 (RtlGenRandom). Built with:
 *   x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll bcryptprimitives.c -ladvapi32
 * and copied into the throwaway WINEPREFIX's system32.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG n = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, n))
            return FALSE;
        data += n;
        length -= n;
    }
    return TRUE;
}
