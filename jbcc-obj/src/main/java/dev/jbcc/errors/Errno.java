package dev.jbcc.errors;

/** Linux x86-64 errno values jbcc names in its messages. */
public final class Errno {
    private Errno() {}

    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7,
            EBADF = 9, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17,
            ENODEV = 19, ENOTDIR = 20, EINVAL = 22, ENFILE = 23, EMFILE = 24, ENOSPC = 28, ERANGE = 34,
            ENOSYS = 38, ELOOP = 40, ENOMSG = 42, ENODATA = 61, EOVERFLOW = 75, EILSEQ = 84, EOPNOTSUPP = 95,
            EADDRINUSE = 98, EADDRNOTAVAIL = 99, ENOTSUPP = 524;

    /** "EPERM (Operation not permitted)" style text for an errno. */
    public static String describe(int errno) {
        String s = switch (errno) {
            case EPERM -> "EPERM (Operation not permitted)";
            case ENOENT -> "ENOENT (No such file or directory)";
            case ESRCH -> "ESRCH (No such process)";
            case EINTR -> "EINTR (Interrupted system call)";
            case EIO -> "EIO (I/O error)";
            case ENXIO -> "ENXIO (No such device or address)";
            case E2BIG -> "E2BIG (Argument list too long)";
            case EBADF -> "EBADF (Bad file descriptor)";
            case EAGAIN -> "EAGAIN (Resource temporarily unavailable)";
            case ENOMEM -> "ENOMEM (Cannot allocate memory)";
            case EACCES -> "EACCES (Permission denied)";
            case EFAULT -> "EFAULT (Bad address)";
            case EBUSY -> "EBUSY (Device or resource busy)";
            case EEXIST -> "EEXIST (File exists)";
            case ENODEV -> "ENODEV (No such device)";
            case ENOTDIR -> "ENOTDIR (Not a directory)";
            case EINVAL -> "EINVAL (Invalid argument)";
            case ENFILE -> "ENFILE (Too many open files in system)";
            case EMFILE -> "EMFILE (Too many open files)";
            case ENOSPC -> "ENOSPC (No space left on device)";
            case ERANGE -> "ERANGE (Numerical result out of range)";
            case ENOSYS -> "ENOSYS (Function not implemented)";
            case ELOOP -> "ELOOP (Too many levels of symbolic links)";
            case ENOMSG -> "ENOMSG (No message of desired type)";
            case ENODATA -> "ENODATA (No data available)";
            case EILSEQ -> "EILSEQ (Invalid or incomplete multibyte or wide character)";
            case EOVERFLOW -> "EOVERFLOW (Value too large for defined data type)";
            case EOPNOTSUPP -> "EOPNOTSUPP (Operation not supported)";
            case EADDRINUSE -> "EADDRINUSE (Address already in use)";
            case EADDRNOTAVAIL -> "EADDRNOTAVAIL (Cannot assign requested address)";
            case ENOTSUPP -> "ENOTSUPP (Operation not supported by the kernel)";
            default -> null;
        };
        return s != null ? s : "errno " + errno;
    }
}
