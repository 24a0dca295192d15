/* For tests under wine 8 only — never ship it beside nianbao.exe.
 *
 * Rust's standard library takes random numbers from ProcessPrng in bcryptprimitives.dll,
 * which Windows 10 and later have and Debian 12's wine 8.0 does not, so every Rust
 * program fails to start there (FINDINGS.md). scripts/wine-smoke.sh builds this stub
 * with MinGW and puts it in the wine prefix's system32 when the prefix lacks the DLL:
 *   x86_64-w64-mingw32-gcc -shared -o bcryptprimitives.dll bcryptprimitives.c -ladvapi32
 */
#include <windows.h>

/* advapi32's RtlGenRandom, exported under this name */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
