# Install.cmake - what `cmake --install` puts where, and the Debian
# package CPack builds from it (`cpack -G DEB` in a build configured with
# -DCMAKE_INSTALL_PREFIX=/usr; README "Install").
#
#   sbin/fixitd                          the daemon
#   lib/systemd/system/fixitd.service    the unit, ExecStart= naming the
#                                        sbin/fixitd of the install prefix
#   share/man/man8/fixitd.8.gz           the manual (deploy/fixitd.8)
#   share/fixit/fixit.example.yaml       the annotated example config (the
#                                        package's postinst copies it to
#                                        /etc/fixit/fixit.yaml when absent)
#   share/fixit/prices.json              the price table of the savings
#                                        (config key prices_file's default)
#   share/fixit/alerts/*.yaml            Prometheus rules
#   share/fixit/slack-app-manifest.yaml  the Slack app
#   share/doc/fixit/                     README.md, README.deploy.md
#
# Checked by tests/check_install.sh (CTest check_install): installs into a
# staging prefix and looks at every file; and, where dpkg-deb is, builds
# the package and reads its control fields, scripts and contents.
include(GNUInstallDirs)

set(FIXIT_SYSTEMD_UNITDIR "lib/systemd/system" CACHE STRING
  "where the systemd unit goes, relative to the install prefix")

install(TARGETS fixitd RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})

# The unit as checked in runs /usr/sbin/fixitd (the package's path); an
# install elsewhere gets its own path, decided at install time, so that
# `cmake --install build --prefix P` and CPack's staging both say where
# the binary really is.
set(fixit_unit_src ${CMAKE_CURRENT_SOURCE_DIR}/deploy/fixitd.service)
set(fixit_unit_tmp ${CMAKE_CURRENT_BINARY_DIR}/install/fixitd.service)
install(CODE "
  file(READ \"${fixit_unit_src}\" unit)
  string(REPLACE \"/usr/sbin/fixitd\"
    \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_SBINDIR}/fixitd\" unit \"\${unit}\")
  file(WRITE \"${fixit_unit_tmp}\" \"\${unit}\")
  file(INSTALL DESTINATION \"\${CMAKE_INSTALL_PREFIX}/${FIXIT_SYSTEMD_UNITDIR}\"
    TYPE FILE PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
    FILES \"${fixit_unit_tmp}\")
")

# man page, compressed as Debian wants it (-n: no name or time stamp, so
# the same tree gives the same bytes)
find_program(GZIP_PROGRAM gzip REQUIRED)
add_custom_command(
  OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/fixitd.8.gz
  COMMAND ${GZIP_PROGRAM} -9nc ${CMAKE_CURRENT_SOURCE_DIR}/deploy/fixitd.8
    > ${CMAKE_CURRENT_BINARY_DIR}/fixitd.8.gz
  DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/deploy/fixitd.8
  VERBATIM)
add_custom_target(fixitd_man ALL DEPENDS ${CMAKE_CURRENT_BINARY_DIR}/fixitd.8.gz)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/fixitd.8.gz
  DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)

install(FILES deploy/fixit.example.yaml deploy/slack-app-manifest.yaml
  deploy/prices.json DESTINATION ${CMAKE_INSTALL_DATADIR}/fixit)
install(DIRECTORY deploy/alerts/ DESTINATION ${CMAKE_INSTALL_DATADIR}/fixit/alerts
  FILES_MATCHING PATTERN "*.yaml")
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES deploy/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR}
  RENAME README.deploy.md)

# ---- the Debian package ------------------------------------------------
# fixitd links libmicrohttpd, jansson, libcrypto, SQLite and libyaml, and
# loads libcurl and libxml2 with dlopen (CMakeLists.txt): dpkg-shlibdeps
# would miss those two, so the list is written out. ca-certificates: the
# TLS roots for Slack and AWS. adduser: postinst makes the user.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME fixit)
set(CPACK_PACKAGE_VENDOR fixit)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "fixit maintainers <fixit@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "closes the loop on AWS security findings, asking owners in Slack")
set(CPACK_PACKAGE_DESCRIPTION
  "fixitd takes findings (Security Hub, CloudTrail via EventBridge, its own\nscans), asks the owner of each resource in Slack, and fixes, tags or\nleaves it as they answer, with undo, an audit record and dry run.")
# the package is laid out for /usr whatever this build's own prefix
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
  "libmicrohttpd12, libcurl4, libjansson4, libssl3, libsqlite3-0, libyaml-0-2, libxml2, ca-certificates, adduser")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${CMAKE_CURRENT_SOURCE_DIR}/deploy/debian/postinst
  ${CMAKE_CURRENT_SOURCE_DIR}/deploy/debian/prerm
  ${CMAKE_CURRENT_SOURCE_DIR}/deploy/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
