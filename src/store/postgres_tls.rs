//! Encrypted connections to a PostgreSQL server: libpq's `sslmode` and `sslrootcert`,
//! over rustls.
//!
//! Owns what a connection URL says about TLS and the rustls configuration that carries it
//! out. `sslmode` means what it means to libpq (and to `psql`, which IT staff test with):
//!
//! - `disable`: plain.
//! - `prefer` (the default): TLS when the server offers it, else plain; the certificate
//!   is not checked. Debian's server offers TLS with a self-signed certificate out of the
//!   box, so this encrypts without any setting.
//! - `require`: TLS or no connection; the certificate is not checked, unless
//!   `sslrootcert` names a file, which makes it `verify-ca` (as libpq does).
//! - `verify-ca`: the certificate must be signed by a root of `sslrootcert`, else of the
//!   system's store (on Windows the certificate store, where an IT department installs
//!   its own CA).
//! - `verify-full`: `verify-ca`, and the certificate must name the host connected to.
//!
//! tokio-postgres knows only `disable`/`prefer`/`require` and refuses other parameters,
//! so [`split`] takes ours out of the URL first. rustls (with the `ring` provider, which
//! needs only a C compiler, for the Windows cross-build too) rather than OpenSSL: the
//! build then needs no system library on Linux or Windows.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use super::{Result, StoreError};

/// libpq's `sslmode`, see the module doc.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum TlsMode {
    Disable,
    #[default]
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl TlsMode {
    pub const ALL: [TlsMode; 5] = [
        TlsMode::Disable,
        TlsMode::Prefer,
        TlsMode::Require,
        TlsMode::VerifyCa,
        TlsMode::VerifyFull,
    ];

    /// As the URL writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            TlsMode::Disable => "disable",
            TlsMode::Prefer => "prefer",
            TlsMode::Require => "require",
            TlsMode::VerifyCa => "verify-ca",
            TlsMode::VerifyFull => "verify-full",
        }
    }

    /// As the connection form shows it.
    pub fn label(self) -> &'static str {
        match self {
            TlsMode::Disable => "不加密",
            TlsMode::Prefer => "尽量加密（默认）",
            TlsMode::Require => "必须加密",
            TlsMode::VerifyCa => "加密并验证证书",
            TlsMode::VerifyFull => "加密并验证证书与主机名",
        }
    }

    fn parse(text: &str) -> Result<TlsMode> {
        TlsMode::ALL
            .into_iter()
            .find(|m| m.as_str() == text)
            .ok_or_else(|| {
                StoreError::BadServerUrl(format!(
                    "sslmode 应为 disable、prefer、require、verify-ca 或 verify-full，而不是“{text}”"
                ))
            })
    }
}

/// What a connection URL asks of TLS.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tls {
    pub mode: TlsMode,
    /// `sslrootcert`: a PEM file of the root certificate(s) to trust.
    pub root_cert: Option<PathBuf>,
}

impl Tls {
    /// The mode in effect: `require` with a root certificate file is `verify-ca`.
    pub fn effective(&self) -> TlsMode {
        match (self.mode, &self.root_cert) {
            (TlsMode::Require, Some(_)) => TlsMode::VerifyCa,
            (mode, _) => mode,
        }
    }

    /// tokio-postgres's mode for it (it only negotiates; the checks are the verifier's).
    pub(super) fn ssl_mode(&self) -> ::postgres::config::SslMode {
        use ::postgres::config::SslMode;
        match self.mode {
            TlsMode::Disable => SslMode::Disable,
            TlsMode::Prefer => SslMode::Prefer,
            TlsMode::Require | TlsMode::VerifyCa | TlsMode::VerifyFull => SslMode::Require,
        }
    }

    /// The rustls configuration that checks what the mode says.
    pub(super) fn client_config(&self) -> Result<ClientConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| tls_setup(e.to_string()))?;
        let verifier: Arc<dyn ServerCertVerifier> = match self.effective() {
            TlsMode::Disable | TlsMode::Prefer | TlsMode::Require => Arc::new(Unchecked {
                algorithms: provider.signature_verification_algorithms,
            }),
            mode => {
                let roots = match &self.root_cert {
                    Some(path) => roots_of_file(path)?,
                    None => system_roots()?,
                };
                let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
                    .build()
                    .map_err(|e| tls_setup(e.to_string()))?;
                Arc::new(Verified {
                    webpki,
                    check_name: mode == TlsMode::VerifyFull,
                })
            }
        };
        Ok(builder
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth())
    }

    /// The URL parameters that say it, not yet percent-encoded; none for the default.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let mut params = Vec::new();
        if self.mode != TlsMode::Prefer {
            params.push(("sslmode", self.mode.as_str().to_string()));
        }
        if let Some(path) = &self.root_cert {
            params.push(("sslrootcert", path.display().to_string()));
        }
        params
    }
}

fn tls_setup(reason: String) -> StoreError {
    StoreError::TlsSetup(reason)
}

/// Takes `sslmode` and `sslrootcert` out of a connection string (URL or `key=value`
/// form): what is left for tokio-postgres, and what they said.
pub(super) fn split(url: &str) -> Result<(String, Tls)> {
    let mut tls = Tls::default();
    let mut take = |key: &str, value: &str| -> Result<bool> {
        match key {
            "sslmode" => tls.mode = TlsMode::parse(value)?,
            "sslrootcert" if !value.is_empty() => tls.root_cert = Some(PathBuf::from(value)),
            "sslrootcert" => {}
            _ => return Ok(false),
        }
        Ok(true)
    };
    if url.contains("://") {
        let Some((base, query)) = url.split_once('?') else {
            return Ok((url.to_string(), tls));
        };
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_encoding::percent_decode_str(value)
                .decode_utf8()
                .map_err(|_| StoreError::BadServerUrl(format!("参数 {key} 不是 UTF-8")))?;
            if !take(key, &value)? {
                kept.push(pair);
            }
        }
        let rest = match kept.is_empty() {
            true => base.to_string(),
            false => format!("{base}?{}", kept.join("&")),
        };
        return Ok((rest, tls));
    }
    // key=value form: unquoted values only carry our parameters.
    let mut kept = Vec::new();
    for word in url.split_whitespace() {
        match word.split_once('=') {
            Some((key, value)) if take(key, value)? => {}
            _ => kept.push(word),
        }
    }
    Ok((kept.join(" "), tls))
}

fn roots_of_file(path: &Path) -> Result<RootCertStore> {
    let unreadable = |reason: String| StoreError::RootCertificate {
        path: path.to_path_buf(),
        reason,
    };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
        .map_err(|e| unreadable(pem_reason(&e)))?
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| unreadable(pem_reason(&e)))?;
    if certs.is_empty() {
        return Err(unreadable("文件中没有 PEM 格式的证书".into()));
    }
    let mut roots = RootCertStore::empty();
    let (added, _) = roots.add_parsable_certificates(certs);
    if added == 0 {
        return Err(unreadable("文件中的证书都无法使用".into()));
    }
    Ok(roots)
}

fn pem_reason(e: &rustls::pki_types::pem::Error) -> String {
    match e {
        rustls::pki_types::pem::Error::Io(io) => io.to_string(),
        other => format!("不是 PEM 格式的证书文件（{other:?}）"),
    }
}

fn system_roots() -> Result<RootCertStore> {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = RootCertStore::empty();
    roots.add_parsable_certificates(found.certs);
    if roots.is_empty() {
        return Err(tls_setup(
            "本机的证书库中没有可用的根证书；请在连接设置中选择根证书文件".into(),
        ));
    }
    Ok(roots)
}

/// libpq's `prefer` and `require`: any certificate, the handshake's signatures still
/// checked (the connection is encrypted, not authenticated).
#[derive(Debug)]
struct Unchecked {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// `verify-ca` and `verify-full`: webpki's checks, the host name's only for `verify-full`.
#[derive(Debug)]
struct Verified {
    webpki: Arc<WebPkiServerVerifier>,
    check_name: bool,
}

impl ServerCertVerifier for Verified {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        use rustls::{CertificateError, Error};
        match self.webpki.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Err(Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if !self.check_name => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}

/// The store error for a failed connection whose cause was TLS, if it was.
pub(super) fn error_of(e: &::postgres::Error, server: &str) -> Option<StoreError> {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        // tokio-rustls hands rustls' error over inside an io::Error, whose `source()`
        // skips it.
        let inner = s
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
            .map_or(s, |i| i as &(dyn std::error::Error + 'static));
        if let Some(r) = inner.downcast_ref::<rustls::Error>() {
            return Some(match r {
                rustls::Error::InvalidCertificate(c) => StoreError::Certificate {
                    server: server.to_string(),
                    reason: certificate_reason(c),
                },
                other => StoreError::TlsHandshake {
                    server: server.to_string(),
                    reason: other.to_string(),
                },
            });
        }
        if s.to_string() == "server does not support TLS" {
            return Some(StoreError::TlsRefused(server.to_string()));
        }
        source = s.source();
    }
    None
}

fn certificate_reason(c: &rustls::CertificateError) -> String {
    use rustls::CertificateError as C;
    match c {
        C::UnknownIssuer => "证书不是由所信任的根证书签发的".into(),
        C::NotValidForName | C::NotValidForNameContext { .. } => {
            "证书上的主机名与所连接的服务器地址不符".into()
        }
        C::Expired | C::ExpiredContext { .. } => "证书已过期".into(),
        C::NotValidYet | C::NotValidYetContext { .. } => "证书尚未生效（或本机时间不对）".into(),
        C::Revoked => "证书已被吊销".into(),
        C::BadSignature => "证书的签名无效".into(),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_parameters_are_taken_out_and_the_rest_kept() {
        let (rest, tls) = split(
            "postgres://u:p@h:5432/db?options=-csearch_path%3Da&sslmode=verify-full&sslrootcert=C%3A%5Cca.pem",
        )
        .unwrap();
        assert_eq!(rest, "postgres://u:p@h:5432/db?options=-csearch_path%3Da");
        assert_eq!(tls.mode, TlsMode::VerifyFull);
        assert_eq!(tls.root_cert, Some(PathBuf::from(r"C:\ca.pem")));
        let (rest, tls) = split("postgres://u@h/db").unwrap();
        assert_eq!((rest.as_str(), tls), ("postgres://u@h/db", Tls::default()));
        let (rest, tls) = split("host=h user=u sslmode=require dbname=d").unwrap();
        assert_eq!(rest, "host=h user=u dbname=d");
        assert_eq!(tls.effective(), TlsMode::Require);
        // libpq: require with a root certificate checks it
        let (_, tls) = split("postgres://u@h/db?sslmode=require&sslrootcert=ca.pem").unwrap();
        assert_eq!(tls.effective(), TlsMode::VerifyCa);
        let err = split("postgres://u@h/db?sslmode=always").unwrap_err();
        assert!(err.to_string().contains("sslmode"), "{err}");
        assert!(Tls::default().params().is_empty());
    }

    #[test]
    fn a_root_certificate_file_that_is_not_one_is_refused_saying_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ca.pem");
        std::fs::write(&path, "not a certificate").unwrap();
        let tls = Tls {
            mode: TlsMode::VerifyCa,
            root_cert: Some(path.clone()),
        };
        let err = tls.client_config().unwrap_err();
        assert!(matches!(err, StoreError::RootCertificate { .. }), "{err}");
        let missing = Tls {
            root_cert: Some(dir.path().join("none.pem")),
            ..tls
        };
        let err = missing.client_config().unwrap_err();
        assert!(err.to_string().contains("none.pem"), "{err}");
        // the unchecked modes need no roots
        assert!(Tls::default().client_config().is_ok());
    }
}
