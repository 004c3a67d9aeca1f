package dev.jbcc.elf;

/**
 * One symbol table entry ({@code Elf64_Sym}).
 *
 * @param index        the entry's index in its table (relocations refer to symbols by index)
 * @param name         the name from the linked string table ("" for unnamed symbols)
 * @param value        {@code st_value}: an offset into the section in relocatable objects, a virtual address otherwise
 * @param size         {@code st_size}
 * @param binding      from {@code ST_BIND(st_info)}
 * @param type         from {@code ST_TYPE(st_info)}
 * @param visibility   from {@code ST_VISIBILITY(st_other)}
 * @param sectionIndex {@code st_shndx}: {@link #SHN_UNDEF} for externs, {@link #SHN_ABS}, {@link #SHN_COMMON}, or a section index
 */
public record Symbol(int index, String name, long value, long size, Binding binding, Type type,
                     Visibility visibility, int sectionIndex) {
    public static final int SHN_UNDEF = 0, SHN_ABS = 0xfff1, SHN_COMMON = 0xfff2, SHN_XINDEX = 0xffff;

    public enum Binding {
        LOCAL, GLOBAL, WEAK, GNU_UNIQUE, OTHER;

        static Binding of(int value) {
            return switch (value) {
                case 0 -> LOCAL;
                case 1 -> GLOBAL;
                case 2 -> WEAK;
                case 10 -> GNU_UNIQUE;
                default -> OTHER;
            };
        }
    }

    public enum Type {
        NOTYPE, OBJECT, FUNC, SECTION, FILE, COMMON, TLS, GNU_IFUNC, OTHER;

        static Type of(int value) {
            return switch (value) {
                case 0 -> NOTYPE;
                case 1 -> OBJECT;
                case 2 -> FUNC;
                case 3 -> SECTION;
                case 4 -> FILE;
                case 5 -> COMMON;
                case 6 -> TLS;
                case 10 -> GNU_IFUNC;
                default -> OTHER;
            };
        }
    }

    public enum Visibility {
        DEFAULT, INTERNAL, HIDDEN, PROTECTED;

        static Visibility of(int value) {
            return values()[value & 3];
        }
    }

    /** True for an extern: a symbol this object uses but does not define. */
    public boolean isUndefined() {
        return sectionIndex == SHN_UNDEF;
    }

    /** True if the symbol lives in a real section (not undefined, absolute or common). */
    public boolean isInSection() {
        return sectionIndex != SHN_UNDEF && sectionIndex < 0xff00;
    }

    public boolean isGlobal() {
        return binding == Binding.GLOBAL || binding == Binding.WEAK;
    }
}
