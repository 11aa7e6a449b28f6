import type { Messages } from '../messages';

/** Spanish. Loaded lazily by `lang="es"` (any `es-*`). */
const es: Messages = {
  phone: 'Teléfono',
  ready: 'Listo',
  connecting: 'Conectando…',
  offline: 'Sin conexión',
  notConfigured: 'Sin configurar',
  number: 'Número',
  dialpad: 'Teclado',
  callControls: 'Controles de llamada',
  call: 'Llamar',
  answer: 'Contestar',
  reject: 'Rechazar',
  hangup: 'Colgar',
  mute: 'Silenciar',
  hold: 'En espera',
  incoming: 'Llamada entrante',
  waiting: 'Llamada en espera',
  calling: 'Llamando…',
  inCall: 'En llamada',
  onHold: 'En espera',
  not_found: 'Número no encontrado',
  busy: 'Ocupado',
  declined: 'Llamada rechazada',
  unavailable: 'No disponible',
  line_limit: 'Se alcanzó el límite de líneas de su empresa',
  connection_lost: 'Se perdió la conexión: la llamada terminó',
  failed: 'No se pudo realizar la llamada',
  token_expired: 'La sesión caducó: reconectando',
  tenant_suspended: 'El servicio telefónico de su empresa está suspendido',
  signInRefused: 'Acceso rechazado: revise las credenciales',
  unreachable: 'Servicio inaccesible: reintentando',
  serviceBusy: 'Servicio ocupado: reintentando',
  registrationFailed: 'No se pudo iniciar sesión',
};

export default es;
