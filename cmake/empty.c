/* keeps a library that has no sources yet linkable */
typedef int fixit_empty_translation_unit;
